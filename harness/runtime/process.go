package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/scenarios"
)

// handler is what a stub is: an http.Handler that owns resources.
type handler interface {
	http.Handler
	Close() error
}

// inproc is one role served in this process, which the embedded runtime stops, kills,
// starts, pauses and cuts off the way the containers runtime does with a container.
// It always listens on the same address, so the proxies in front of it keep working.
type inproc struct {
	role  string
	addr  string
	build func(context.Context) (handler, error)
	links []string // the proxies to disable when it is disconnected: its in- and outbound links

	mu  sync.Mutex
	h   handler
	srv *http.Server
	// paused is held for writing while the role is paused: requests wait at the door.
	paused sync.RWMutex
}

// start builds the role's handler and serves it on ln, or on its address when ln is nil.
func (p *inproc) start(ctx context.Context, ln net.Listener) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.srv != nil {
		return nil // already running
	}
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", p.addr); err != nil {
			return fmt.Errorf("%s: %w", p.role, err)
		}
	}
	h, err := p.build(ctx)
	if err != nil {
		ln.Close()
		return fmt.Errorf("%s: %w", p.role, err)
	}
	door := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.paused.RLock()
		p.paused.RUnlock() // an empty critical section on purpose: wait while paused
		h.ServeHTTP(w, r)
	})
	p.h, p.srv = h, NewHTTPServer(door)
	go p.srv.Serve(ln)
	return nil
}

// stop ends the role: gracefully (finish in-flight requests) or at once (every
// connection dropped, like SIGKILL). Either way the handler closes its resources: an
// in-process store cannot be left half open and reopened beside itself.
func (p *inproc) stop(graceful bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.srv == nil {
		return nil
	}
	var err error
	if graceful {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		err = p.srv.Shutdown(ctx)
		cancel()
	}
	if !graceful || err != nil {
		err = p.srv.Close()
	}
	err = errors.Join(err, p.h.Close())
	p.srv, p.h = nil, nil
	return err
}

// embeddedRoles acts on the embedded runtime's in-process roles (fault.Roles).
type embeddedRoles struct {
	procs   map[string]*inproc
	proxies map[string]*toxiproxy.Proxy
}

func (e *embeddedRoles) proc(role string) (*inproc, error) {
	p, ok := e.procs[role]
	if !ok {
		return nil, fmt.Errorf("no role %q in this stack", role)
	}
	return p, nil
}

// Act stops, kills, restarts, pauses or disconnects a role.
func (e *embeddedRoles) Act(ctx context.Context, role, action string) error {
	p, err := e.proc(role)
	if err != nil {
		return err
	}
	switch action {
	case scenarios.ActionStop:
		return p.stop(true)
	case scenarios.ActionKill:
		return p.stop(false)
	case scenarios.ActionRestart:
		return errors.Join(p.stop(true), p.start(ctx, nil))
	case scenarios.ActionPause:
		p.paused.Lock()
		return nil
	case scenarios.ActionDisconnect:
		return e.eachLink(p, (*toxiproxy.Proxy).Disable)
	}
	return fmt.Errorf("unknown action %q", action)
}

// Restore undoes Act.
func (e *embeddedRoles) Restore(ctx context.Context, role, action string) error {
	p, err := e.proc(role)
	if err != nil {
		return err
	}
	switch action {
	case scenarios.ActionStop, scenarios.ActionKill:
		return p.start(ctx, nil)
	case scenarios.ActionPause:
		p.paused.Unlock()
	case scenarios.ActionDisconnect:
		return e.eachLink(p, (*toxiproxy.Proxy).Enable)
	}
	return nil
}

func (e *embeddedRoles) eachLink(p *inproc, do func(*toxiproxy.Proxy) error) error {
	var errs []error
	for _, name := range p.links {
		errs = append(errs, do(e.proxies[name]))
	}
	return errors.Join(errs...)
}

// close stops every role, the portal first.
func (e *embeddedRoles) close() error {
	var errs []error
	for _, role := range []string{"portal", "identity", "registry"} {
		if p := e.procs[role]; p != nil {
			errs = append(errs, p.stop(true))
		}
	}
	return errors.Join(errs...)
}

// roleLinks are the links that touch a role: those leading to it and those it calls.
func roleLinks(ls []linkSpec, role string) []string {
	var out []string
	for _, l := range ls {
		if l.role == role || (role == "portal" && !l.client && l.via == "") {
			out = append(out, l.name)
		}
	}
	return out
}
