/* The staff template editor's enhancements (admin change forms of message templates, layouts
   and attachment templates). Progressive: without this file every field is a plain textarea,
   the variables are a list, and the saved preview page still works.

   - line numbers beside each code field (the lines syntax errors quote);
   - click a listed variable to insert it at the cursor of the field last edited;
   - the preview of the unsaved form beside the editor: the form's own fields (its CSRF token
     included) are posted to the preview URL into a sandboxed frame, again as you type;
     desktop / phone width;
   - the password expression shows only under the policy that uses it.
   No inline script or handler anywhere: the admin's Content-Security-Policy forbids them. */
(function () {
  "use strict";

  function lineNumbers(textarea) {
    var wrapper = document.createElement("div");
    wrapper.className = "code-editor";
    var gutter = document.createElement("pre");
    gutter.className = "code-gutter";
    gutter.setAttribute("aria-hidden", "true");
    textarea.parentNode.insertBefore(wrapper, textarea);
    wrapper.appendChild(gutter);
    wrapper.appendChild(textarea);
    var shown = 0;
    function update() {
      var count = textarea.value.split("\n").length;
      if (count !== shown) {
        var numbers = [];
        for (var i = 1; i <= count; i++) numbers.push(i);
        gutter.textContent = numbers.join("\n") + "\n";
        shown = count;
      }
      gutter.scrollTop = textarea.scrollTop;
    }
    textarea.addEventListener("input", update);
    textarea.addEventListener("scroll", function () { gutter.scrollTop = textarea.scrollTop; });
    update();
  }

  function insertAtCursor(field, text) {
    var start = field.selectionStart, end = field.selectionEnd;
    field.focus();
    field.setRangeText(text, start, end, "end");
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function variables(form) {
    var lastField = null;
    form.addEventListener("focusin", function (event) {
      var t = event.target;
      if (t.matches("textarea, input[type=text]")) lastField = t;
    });
    form.querySelectorAll("code[data-insert]").forEach(function (code) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "insert-variable";
      button.dataset.insert = code.dataset.insert;
      button.title = "Insert at the cursor";
      button.textContent = code.textContent;
      code.replaceWith(button);
      button.addEventListener("click", function () {
        var field = lastField || form.querySelector("textarea.code-field");
        if (field) insertAtCursor(field, button.dataset.insert);
      });
    });
  }

  function preview(form, aside) {
    aside.hidden = false;
    document.body.classList.add("has-editor-preview");
    var frame = aside.querySelector("iframe");
    // A submit button of our own, after the form's Save buttons (so Enter still saves).
    var submitter = document.createElement("button");
    submitter.type = "submit";
    submitter.hidden = true;
    submitter.name = "_preview_part";
    submitter.formAction = aside.dataset.previewUrl;
    submitter.formTarget = frame.name;
    submitter.formNoValidate = true;
    form.appendChild(submitter);
    var timer = null;

    function pressed(selector) {
      return aside.querySelector(selector + "[aria-pressed=true]");
    }
    function refresh() {
      clearTimeout(timer);
      submitter.value = pressed("[data-preview-part]").dataset.previewPart;
      form.requestSubmit(submitter);
    }
    function choose(button, selector) {
      aside.querySelectorAll(selector).forEach(function (b) {
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
    }
    aside.querySelectorAll("button[data-preview-part]").forEach(function (button) {
      button.addEventListener("click", function () { choose(button, "[data-preview-part]"); refresh(); });
    });
    aside.querySelectorAll("[data-preview-width]").forEach(function (button) {
      button.addEventListener("click", function () {
        choose(button, "[data-preview-width]");
        aside.dataset.width = button.dataset.previewWidth;
      });
    });
    aside.querySelector("[data-preview-refresh]").addEventListener("click", refresh);
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 700);
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("select")) refresh();
    });
    refresh();
  }

  function passwordPolicy(form) {
    var policy = form.querySelector("select[name=password_policy]");
    var row = form.querySelector(".field-password_template");
    if (!policy || !row) return;
    function toggle() { row.hidden = policy.value !== "template"; }
    policy.addEventListener("change", toggle);
    toggle();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("#content-main form[id$=_form]");
    if (!form) return;
    form.querySelectorAll("textarea.code-field").forEach(lineNumbers);
    variables(form);
    passwordPolicy(form);
    var aside = document.querySelector(".editor-preview[data-preview-url]");
    if (aside) preview(form, aside);
  });
})();
