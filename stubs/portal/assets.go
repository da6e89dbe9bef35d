package portal

import (
	"net/http"
	"strconv"
	"strings"
)

// The portal's page as a browser loads it: citizens use the portal through a browser,
// so every session starts by fetching the page's HTML, scripts, styles and fonts, and a
// link's Mbps are mostly these, not the API's JSON. The sizes are on the wire
// (compressed as served), and the one definition of the page weight: the built-in
// journeys' page step (scenarios/journeys/*.yaml) fetches PagePath, the docs quote
// PageBytes.
//
// assumption: a single-page portal's first load — HTML 30 KiB, JavaScript 600 KiB,
// CSS 80 KiB, web fonts 100 KiB, 810 KiB in all — of the order of a median web page's
// scripts and styles; images are left out (a portal's are few and small). No figure
// for the National Public Service Portal's page weight is published
// (/work/shared/data/calibration.md lists none).
const (
	PageHTMLBytes = 30 << 10
	PageJSBytes   = 600 << 10
	PageCSSBytes  = 80 << 10
	PageFontBytes = 100 << 10
	PageBytes     = PageHTMLBytes + PageJSBytes + PageCSSBytes + PageFontBytes
	// PagePath serves the page with its assets as one body: one request stands for the
	// browser's parallel fetches (over one HTTP/2 connection they cross the same link),
	// so a journey's page load is one step and one request class.
	PagePath = "/assets/page"
)

// pageBody is the page's bytes, made once: text, as the assets are, and not all one
// byte, so that nothing on the way could shrink it.
var pageBody = []byte(strings.Repeat("/* thongsuot reference portal page asset */\n", PageBytes/44+1)[:PageBytes])

// ServePage serves the page's assets: public, cacheable for a day (a browser that
// kept them sends nothing), outside admission control — a CDN or the front web server
// serves static files, not the application.
func ServePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("Content-Length", strconv.Itoa(len(pageBody)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(pageBody)
	}
}
