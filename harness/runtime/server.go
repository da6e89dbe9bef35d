package runtime

import (
	"net/http"
	"time"
)

// The timeouts of every HTTP server thongsuot starts: the stubs (embedded or as
// `thongsuot stub`), the toxiproxy API. Without them a client that opens a
// connection and sends nothing, or sends slowly, or never reads the answer, holds
// a goroutine and a socket forever.
const (
	// ReadHeaderTimeout: a client that cannot send its headers in 10 s is not a
	// browser on any of the link tiers.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a whole request, body included. It must outlast
	// the slowest legitimate handling too (a registry call under a latency fault
	// takes a few seconds; scenarios give requests at most 10 s): when it expires
	// while a handler runs, net/http cancels the request's context. The portal
	// sets tighter deadlines of its own on the bodies it reads (BodyTimeout,
	// AttachmentTimeout).
	ReadTimeout = 30 * time.Second
	// WriteTimeout runs from the end of the headers to the end of the answer: the
	// longest body the portal waits for (AttachmentTimeout, 60 s) plus handling.
	WriteTimeout = 90 * time.Second
	// IdleTimeout closes keep-alive connections nobody uses.
	IdleTimeout = 2 * time.Minute
)

// NewHTTPServer is an http.Server for h with those timeouts.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
	}
}
