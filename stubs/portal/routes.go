package portal

import (
	"fmt"
	"net/http"

	"github.com/thongsuot/thongsuot/stubs/identity"
	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// bodyKind is what a route reads from its request body.
type bodyKind int

const (
	noBody         bodyKind = iota
	jsonBody                // at most MaxBodyBytes within BodyTimeout
	attachmentBody          // at most MaxAttachmentBytes within AttachmentTimeout
)

// protected is a route that needs a token. Its guards run cheapest first, and the
// admission slot comes last:
//
//  1. gate: the token (401) and the caller's role (403) — a signature check, cached;
//  2. the caller's own limit of requests in progress (429);
//  3. the body, read whole under its size limit (413) and deadline (408);
//  4. an admission slot of the class (503 + Retry-After when the portal is full);
//  5. the handler.
func (s *Server) protected(gate func(http.HandlerFunc) http.HandlerFunc, body bodyKind, class *admission, h http.HandlerFunc) http.HandlerFunc {
	next := class.admit(h)
	switch body {
	case jsonBody:
		next = s.withBody(s.cfg.MaxBodyBytes, s.cfg.BodyTimeout, next)
	case attachmentBody:
		next = s.withBody(s.cfg.MaxAttachmentBytes, s.cfg.AttachmentTimeout, next)
	}
	return gate(s.callers.limit(s, next))
}

func (s *Server) routes() http.Handler {
	var reads, writes *admission // nil in naive mode: everything is admitted
	if !s.cfg.Naive {
		reads = newAdmission("read", s.cfg.ReadInFlight, s.cfg.AdmissionQueue, s.cfg.AdmissionWait, s.metrics)
		writes = newAdmission("write", s.cfg.WriteInFlight, s.cfg.AdmissionQueue, s.cfg.AdmissionWait, s.metrics)
	}
	citizen := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(identity.RoleCitizen, h) }
	official := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(identity.RoleOfficial, h) }
	service := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(identity.RoleService, h) }

	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/procedures", reads.admit(s.handleProcedures))
	api.HandleFunc("GET /api/v1/procedures/{code}", reads.admit(s.handleProcedure))
	api.HandleFunc("GET /api/v1/provinces", reads.admit(s.handleProvinces))
	api.HandleFunc("GET /api/v1/units", reads.admit(s.handleUnits))
	api.HandleFunc("GET /api/v1/units/{code}", reads.admit(s.handleUnit))
	api.HandleFunc("POST /api/v1/dossiers", s.protected(s.requireFiler, jsonBody, writes, s.handleSubmit))
	api.HandleFunc("GET /api/v1/dossiers", s.protected(citizen, noBody, reads, s.handleListMine))
	api.HandleFunc("GET /api/v1/dossiers/{id}", s.protected(s.authenticate, noBody, reads, s.handleGetDossier))
	attacher := func(h http.HandlerFunc) http.HandlerFunc {
		return citizen(checkAttachment(s.cfg.MaxAttachmentBytes, h))
	}
	api.HandleFunc("POST /api/v1/dossiers/{id}/attachments", s.protected(attacher, attachmentBody, writes, s.handleAttach))
	api.HandleFunc("POST /api/v1/dossiers/{id}/payment", s.protected(citizen, jsonBody, writes, s.handlePay))
	api.HandleFunc("POST /api/v1/bundles", s.protected(s.requireSubmitter, jsonBody, writes, s.handleSubmitBundle))
	api.HandleFunc("GET /api/v1/officials/queue", s.protected(official, noBody, reads, s.handleQueue))
	api.HandleFunc("POST /api/v1/officials/dossiers/{id}/{action}", s.protected(official, jsonBody, writes, s.handleOfficialAction))
	api.HandleFunc("GET /admin/v1/receipts", s.protected(service, noBody, reads, s.handleReceipts))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		jsonapi.Error(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
	})

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", s.handleHealthz)
	root.HandleFunc("GET /readyz", s.handleReadyz)
	root.Handle("GET /metrics", s.metrics.handler())
	root.HandleFunc("GET /openapi.yaml", s.handleOpenAPI)
	root.HandleFunc("GET "+PagePath, ServePage)
	root.Handle("/", api)
	return closeUnreadBodies(s.limitHeaders(s.metrics.instrument(root)))
}

// limitHeaders answers 431 when the request headers together exceed the limit;
// http.Server's MaxHeaderBytes does the same at the socket when run as a binary.
func (s *Server) limitHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 0
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > s.cfg.MaxHeaderBytes {
			jsonapi.Error(w, http.StatusRequestHeaderFieldsTooLarge, fmt.Sprintf("request headers larger than %d bytes", s.cfg.MaxHeaderBytes))
			return
		}
		next.ServeHTTP(w, r)
	})
}
