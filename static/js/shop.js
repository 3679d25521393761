/* Nordic Goods: small enhancements on top of pages that already work without JavaScript.
   Loaded with <script defer> from templates/base.html; config/csp.py allows scripts from our
   own origin only, so everything here is wired with addEventListener, never inline handlers. */
(function () {
  "use strict";

  /* The words this script writes, in the page's language: base.html puts them in the body's
     data-texts as JSON (shop.context_processors.cart, "js_texts"); English when it is missing. */
  var TEXTS = {
    copy: "Copy", copied: "Copied", copyLabel: "Copy the password {password}",
    passwordCopied: "Password copied.", selected: "Selected: press Ctrl+C (⌘C on a Mac) to copy.",
    characters: "{count} / {limit} characters", fewer: "One fewer", more: "One more"
  };
  if (document.body && document.body.dataset.texts) {
    try { TEXTS = Object.assign(TEXTS, JSON.parse(document.body.dataset.texts)); } catch (error) { /* keep English */ }
  }

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
      button.textContent = TEXTS.copy;
      button.setAttribute("aria-label", TEXTS.copyLabel.replace("{password}", code.textContent.trim()));
      var status = document.createElement("span");
      status.className = "copy-status";
      status.setAttribute("role", "status");
      row.appendChild(button);
      row.appendChild(status);
      var reset;
      button.addEventListener("click", function () {
        clearTimeout(reset);
        copyText(code.textContent.trim()).then(function () {
          button.textContent = TEXTS.copied;
          status.textContent = TEXTS.passwordCopied;
        }, function () {
          selectContents(code);
          status.textContent = TEXTS.selected;
        });
        reset = setTimeout(function () {
          button.textContent = TEXTS.copy;
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

  /* Product page: the price of the chosen options times the quantity. The server renders the
     base price and prices the cart itself; each choice carries its delta in data-delta. Money
     is counted in cents, so 0.1 + 0.2 never shows up. */
  function cents(text) {
    var match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(text || "").trim());
    if (!match) { return 0; }
    var value = parseInt(match[2], 10) * 100 + parseInt((match[3] || "0").padEnd(2, "0"), 10);
    return match[1] ? -value : value;
  }

  /* The same format as the server's shop.money.format_amount ("1,387.00", "1 387,00"): the
     form names the language's separators in data-thousands and data-decimal, and where the
     currency goes in data-money ("SEK {amount}", "{amount} kr": shop.money.money_pattern). */
  function money(value, separators) {
    var sign = value < 0 ? "-" : "";
    value = Math.abs(value);
    var whole = String(Math.floor(value / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, separators.thousands);
    return sign + whole + separators.decimal + String(value % 100).padStart(2, "0");
  }

  function enhancePrice(form) {
    var box = form.querySelector("[data-line-price]");
    var quantity = form.querySelector("[data-price-quantity]");
    if (!box || !quantity) { return; }
    var total = box.querySelector("[data-testid=line-price]");
    var detail = box.querySelector("[data-line-price-detail]");
    var base = cents(form.dataset.basePrice);
    var pattern = form.dataset.money || "{amount}";
    var separators = { thousands: form.dataset.thousands || "", decimal: form.dataset.decimal || "." };
    function update() {
      var unit = base;
      form.querySelectorAll("select[data-price-option]").forEach(function (select) {
        var chosen = select.options[select.selectedIndex];
        if (chosen) { unit += cents(chosen.dataset.delta); }
      });
      var count = parseInt(quantity.value, 10);
      var most = parseInt(quantity.max, 10) || 99;
      if (!(count >= 1)) { count = 1; }
      if (count > most) { count = most; }
      total.textContent = pattern.replace("{amount}", money(unit * count, separators));
      detail.textContent = count > 1 ? "(" + count + " × " + money(unit, separators) + ")" : "";
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
    box.hidden = false;
  }

  /* Free-text options: "12 / 30 characters" under the field (the field's maxlength stops more). */
  function enhanceCounters(form) {
    form.querySelectorAll("input[data-counter][maxlength]").forEach(function (input) {
      var counter = document.createElement("small");
      counter.className = "help counter";
      counter.id = input.id + "-counter";
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
      input.insertAdjacentElement("afterend", counter);
      function update() {
        counter.textContent = TEXTS.characters.replace("{count}", input.value.length)
          .replace("{limit}", input.maxLength);
        counter.classList.toggle("full", input.value.length >= input.maxLength);
      }
      input.addEventListener("input", update);
      update();
    });
  }

  /* Quantity: − and + buttons around the number field (which still takes typing). */
  function enhanceSteppers(form) {
    form.querySelectorAll("input.quantity[type=number]").forEach(function (input) {
      var stepper = document.createElement("span");
      stepper.className = "stepper";
      input.parentNode.insertBefore(stepper, input);
      function step(text, label, direction) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "step";
        button.textContent = text;
        button.setAttribute("aria-label", label);
        button.addEventListener("click", function () {
          if (direction > 0) { input.stepUp(); } else { input.stepDown(); }
          input.dispatchEvent(new Event("input", { bubbles: true }));
        });
        return button;
      }
      stepper.appendChild(step("−", TEXTS.fewer, -1));
      stepper.appendChild(input);
      stepper.appendChild(step("+", TEXTS.more, 1));
    });
  }

  /* A form sent back with errors: move focus to its error summary (templates/shop/_form.html),
     so keyboard and screen-reader users start at the list of what to fix. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  function ready() {
    focusErrorSummary();
    enhancePasswords();
    enhancePrint();
    document.querySelectorAll("form.add-to-cart").forEach(function (form) {
      enhanceSteppers(form);
      enhanceCounters(form);
      enhancePrice(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
