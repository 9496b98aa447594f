// Show only the reason tags of the chosen level (the server checks them again).
document.querySelectorAll('input[name=level]').forEach(function (radio) {
  radio.addEventListener('change', function () {
    document.querySelectorAll('.tagset').forEach(function (set) {
      var on = set.dataset.level === radio.value;
      set.hidden = !on;
      set.querySelectorAll('input').forEach(function (box) { box.disabled = !on; if (!on) box.checked = false; });
    });
    document.querySelectorAll('.tag-hint').forEach(function (hint) { hint.hidden = true; });
  });
});
