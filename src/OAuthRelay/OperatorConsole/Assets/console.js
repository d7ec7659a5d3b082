// Live updates, and nothing else: every change works without this script (forms post back).
// A page that asks for it (main[data-refresh] in seconds) fetches itself again and swaps its content in, unless the
// keyboard focus is inside it: a half-typed field, an open menu or a button reached with Tab is never replaced.
(function () {
    "use strict";
    var main = document.getElementById("main");
    if (!main) return;

    function busy() {
        var active = document.activeElement;
        return active && active !== main && main.contains(active);
    }

    function schedule() {
        var seconds = parseInt(main.getAttribute("data-refresh"), 10);
        if (seconds > 0) window.setTimeout(refresh, seconds * 1000);
    }

    function refresh() {
        if (busy() || document.hidden) return schedule();
        fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
            .then(function (response) {
                // Signed out meanwhile (or the relay restarted): a full load shows the sign-in page.
                if (response.redirected || !response.ok) { window.location.reload(); return null; }
                return response.text();
            })
            .then(function (html) {
                if (html === null) return;
                var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
                if (fresh && !busy()) {
                    main.innerHTML = fresh.innerHTML;
                    main.setAttribute("data-refresh", fresh.getAttribute("data-refresh") || "0");
                }
                schedule();
            })
            .catch(schedule);
    }

    schedule();
})();
