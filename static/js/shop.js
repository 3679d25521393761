/* Nordic Goods: small enhancements on top of pages that already work without JavaScript.
   Loaded with <script defer> from templates/base.html; config/csp.py allows scripts from our
   own origin only, so everything here is wired with addEventListener, never inline handlers. */
(function () {
  "use strict";

  /* Confirmation page: a Copy button beside each document password. Without JavaScript the
     password is plain selectable text. */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      area.remove();
      if (copied) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function selectContents(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function enhancePasswords() {
    document.querySelectorAll(".document-password code").forEach(function (code) {
      var row = document.createElement("span");
      row.className = "password-row";
      code.parentNode.insertBefore(row, code);
      row.appendChild(code);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button small copy-button";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy the password " + code.textContent.trim());
      var status = document.createElement("span");
      status.className = "copy-status";
      status.setAttribute("role", "status");
      row.appendChild(button);
      row.appendChild(status);
      var reset;
      button.addEventListener("click", function () {
        clearTimeout(reset);
        copyText(code.textContent.trim()).then(function () {
          button.textContent = "Copied";
          status.textContent = "Password copied.";
        }, function () {
          selectContents(code);
          status.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
        });
        reset = setTimeout(function () {
          button.textContent = "Copy";
          status.textContent = "";
        }, 4000);
      });
    });
  }

  /* "Print or save this page": hidden in the HTML, shown only when we can print. */
  function enhancePrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      if (typeof window.print !== "function") { return; }
      var hint = button.closest("[data-print-hint]") || button;
      hint.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function ready() {
    enhancePasswords();
    enhancePrint();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
