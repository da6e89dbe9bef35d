package knobs

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/thongsuot/thongsuot/stubs/credential"
	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// Board is the set of knobs of one server, addressed by name.
type Board struct {
	names []string
	knobs map[string]*Knob
}

// NewBoard returns a board with one healthy knob per name.
func NewBoard(names ...string) *Board {
	b := &Board{knobs: map[string]*Knob{}}
	for _, n := range names {
		b.names = append(b.names, n)
		b.knobs[n] = New(n, Settings{})
	}
	return b
}

// Knob returns the named knob, or nil.
func (b *Board) Knob(name string) *Knob { return b.knobs[name] }

// Names lists the knobs in the order they were made.
func (b *Board) Names() []string { return b.names }

// Assign applies "name.field=value" (or "*.field=value" for every knob), the form
// the --knob flag takes.
func (b *Board) Assign(assignment string) error {
	lhs, value, ok := strings.Cut(assignment, "=")
	name, field, ok2 := strings.Cut(lhs, ".")
	if !ok || !ok2 {
		return fmt.Errorf("knob assignment %q: want name.field=value", assignment)
	}
	targets := []*Knob{b.knobs[name]}
	if name == "*" {
		targets = targets[:0]
		for _, n := range b.names {
			targets = append(targets, b.knobs[n])
		}
	} else if targets[0] == nil {
		return fmt.Errorf("knob assignment %q: no knob %q (have %s)", assignment, name, strings.Join(b.names, ", "))
	}
	for _, k := range targets {
		s := k.Settings()
		if err := s.set(field, value); err != nil {
			return err
		}
		if err := k.Set(s); err != nil {
			return err
		}
	}
	return nil
}

// Apply sets the knobs named in the map; knobs not named keep their settings.
func (b *Board) Apply(settings map[string]Settings) error {
	for name, s := range settings {
		k := b.knobs[name]
		if k == nil {
			return fmt.Errorf("no knob %q", name)
		}
		if err := k.Set(s); err != nil {
			return err
		}
	}
	return nil
}

// Load reads a JSON object {"name": Settings, ...}, the shape GET /admin/v1/knobs
// returns, so a saved state can be replayed as a config file.
func (b *Board) Load(r io.Reader) error {
	var m map[string]Settings
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("knobs config: %w", err)
	}
	return b.Apply(m)
}

// View is one knob as the admin API shows it.
type View struct {
	Settings
	Stats Stats `json:"stats"`
}

// AdminHandler serves the knob admin API under prefix (e.g. "/admin/v1/knobs") to
// the requests guard admits (401 for the others; a nil guard admits no one):
//
//	GET   prefix          all knobs with settings and stats
//	GET   prefix/{name}   one knob
//	PUT   prefix/{name}   replace its settings (fields left out become zero)
//	PATCH prefix/{name}   change only the fields given
//	POST  prefix/reset    every knob back to healthy
func (b *Board) AdminHandler(prefix string, guard *credential.Guard) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix, func(w http.ResponseWriter, r *http.Request) {
		out := map[string]View{}
		for _, n := range b.names {
			out[n] = View{b.knobs[n].Settings(), b.knobs[n].Stats()}
		}
		jsonapi.Write(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST "+prefix+"/reset", func(w http.ResponseWriter, r *http.Request) {
		for _, n := range b.names {
			_ = b.knobs[n].Set(Settings{})
		}
		w.WriteHeader(http.StatusNoContent)
	})
	one := func(w http.ResponseWriter, r *http.Request) *Knob {
		k := b.knobs[r.PathValue("name")]
		if k == nil {
			names := append([]string(nil), b.names...)
			sort.Strings(names)
			jsonapi.Error(w, http.StatusNotFound, "no knob "+r.PathValue("name")+"; have "+strings.Join(names, ", "))
		}
		return k
	}
	mux.HandleFunc("GET "+prefix+"/{name}", func(w http.ResponseWriter, r *http.Request) {
		if k := one(w, r); k != nil {
			jsonapi.Write(w, http.StatusOK, View{k.Settings(), k.Stats()})
		}
	})
	update := func(w http.ResponseWriter, r *http.Request, s Settings) {
		k := one(w, r)
		if k == nil {
			return
		}
		if r.Method == http.MethodPatch {
			s = k.Settings()
		}
		if err := jsonapi.Decode(w, r, 64<<10, &s); err != nil {
			jsonapi.Fail(w, err, http.StatusBadRequest)
			return
		}
		if err := k.Set(s); err != nil {
			jsonapi.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		jsonapi.Write(w, http.StatusOK, View{k.Settings(), k.Stats()})
	}
	mux.HandleFunc("PUT "+prefix+"/{name}", func(w http.ResponseWriter, r *http.Request) { update(w, r, Settings{}) })
	mux.HandleFunc("PATCH "+prefix+"/{name}", func(w http.ResponseWriter, r *http.Request) { update(w, r, Settings{}) })
	return guard.Wrap(mux)
}
