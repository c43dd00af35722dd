// A file whose name is too long is refused when chosen, before the form is sent: the server
// cannot read a part header that long and would answer without the form (yachiyo_dx/errors.py).
// Without this script the server's answer still explains it; this only keeps the form.
"use strict";

(function () {
  function check(input) {
    var max = parseInt(input.dataset.maxNameChars, 10);
    var tooLong = Array.prototype.some.call(input.files || [], function (file) {
      return Array.from(file.name).length > max; // characters, not UTF-16 units
    });
    var note = input.parentNode.querySelector(".js-file-name-error");
    if (!tooLong) {
      if (note) note.remove();
      return;
    }
    input.value = "";
    if (!note) {
      note = document.createElement("p");
      note.className = "field-error js-file-name-error";
      note.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", note);
    }
    note.textContent =
      "ファイル名が長すぎます（" + max + "文字まで）。名前を短くしてから選び直してください。";
  }

  document.querySelectorAll("input[type=file][data-max-name-chars]").forEach(function (input) {
    input.addEventListener("change", function () {
      check(input);
    });
  });
})();
