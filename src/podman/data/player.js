/* podman's player comforts; every page works without them (native <audio>, links to #t=).
   One plays at a time, speed, back 15 s / forward 30 s, chapters and transcript seek, the cue
   being heard is highlighted, Space and arrow keys, and frame heights for resizing hosts. */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  root.classList.add("js");
  var RATES = [1, 1.25, 1.5, 1.75, 2, 0.75];

  function stored(key, value) { // sandboxed frames and privacy modes throw: no storage then
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      window.localStorage.setItem(key, value);
    } catch (e) { /* nothing remembered */ }
    return null;
  }
  function play(a) { var p = a.play(); if (p && p.catch) p.catch(function () {}); }
  function move(a, t) { a.currentTime = Math.max(0, t); }

  var audios = Array.prototype.slice.call(doc.querySelectorAll("audio"));
  var main = doc.querySelector("audio[data-main]") || audios[0];
  var rate = parseFloat(stored("podman-rate")) || 1;
  if (RATES.indexOf(rate) < 0) rate = 1;

  function setRate(r) {
    rate = r;
    audios.forEach(function (a) { a.defaultPlaybackRate = r; a.playbackRate = r; });
    doc.querySelectorAll("[data-rate]").forEach(function (b) { b.textContent = r + "\u00d7"; });
  }
  setRate(rate);
  audios.forEach(function (a) {
    a.addEventListener("play", function () {
      audios.forEach(function (o) { if (o !== a && !o.paused) o.pause(); });
    });
  });

  doc.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-skip],[data-rate],[data-t]");
    if (!el || !main) return;
    if (el.hasAttribute("data-t")) {
      e.preventDefault();
      move(main, parseFloat(el.getAttribute("data-t")));
      play(main);
      return;
    }
    var box = el.closest("[data-player]");
    var a = (box && box.querySelector("audio")) || main;
    if (el.hasAttribute("data-skip")) {
      move(a, a.currentTime + parseFloat(el.getAttribute("data-skip")));
    } else {
      setRate(RATES[(RATES.indexOf(rate) + 1) % RATES.length]);
      stored("podman-rate", String(rate));
    }
  });

  var start = /[#&]t=(\d+(?:\.\d+)?)/.exec(location.hash); // page.html#t=90 starts at 1:30
  if (start && main) move(main, parseFloat(start[1]));

  var cues = Array.prototype.slice.call(doc.querySelectorAll(".cue[data-start]"));
  if (cues.length && main) {
    var current = null;
    main.addEventListener("timeupdate", function () {
      var t = main.currentTime, hit = null;
      for (var i = 0; i < cues.length; i++) {
        if (t >= +cues[i].dataset.start && t < +cues[i].dataset.end) { hit = cues[i]; break; }
      }
      if (hit === current) return;
      if (current) { current.classList.remove("now"); current.removeAttribute("aria-current"); }
      if (hit) { hit.classList.add("now"); hit.setAttribute("aria-current", "true"); }
      current = hit;
    });
  }

  if (doc.querySelector("audio[data-main]")) {
    doc.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.target.closest(
        "input,textarea,select,button,a,audio,[contenteditable]")) return;
      if (e.key === " ") { if (main.paused) play(main); else main.pause(); }
      else if (e.key === "ArrowLeft") move(main, main.currentTime - 15);
      else if (e.key === "ArrowRight") move(main, main.currentTime + 30);
      else return;
      e.preventDefault();
    });
  }

  if (window.parent !== window) { // AMP amp-iframe and pym.js parents resize the frame
    var id = (/[?&]childId=([^&]*)/.exec(location.search) || [])[1];
    var report = function () {
      var h = Math.ceil(doc.body.getBoundingClientRect().height);
      window.parent.postMessage({ sentinel: "amp", type: "embed-size", height: h }, "*");
      if (id) window.parent.postMessage(
        "pymxPYMx" + decodeURIComponent(id) + "xPYMxheightxPYMx" + h, "*");
    };
    report();
    window.addEventListener("resize", report);
  }
})();
