package portal

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
	"github.com/thongsuot/thongsuot/units"
)

// The administrative units after 1 July 2025: what the "look up a commune"
// journey reads, and what every dossier's unit_code must be.

func (s *Server) handleProvinces(w http.ResponseWriter, r *http.Request) {
	writeStatic(w, "provinces", func() any { return map[string]any{"provinces": units.Provinces()} })
}

// handleUnits lists units, filtered by province, type and a diacritic-insensitive
// name query, paged by limit and offset.
func (s *Server) handleUnits(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := queryInt(r, "limit", 100, 1, 5000)
	if err != nil {
		s.fail(w, err)
		return
	}
	offset, err := queryInt(r, "offset", 0, 0, len(units.All()))
	if err != nil {
		s.fail(w, err)
		return
	}
	province, typ, name := q.Get("province"), units.Type(q.Get("type")), fold(q.Get("q"))
	key := strings.Join([]string{"units", province, string(typ), name, strconv.Itoa(limit), strconv.Itoa(offset)}, "\x00")
	writeStatic(w, key, func() any { return listUnits(province, typ, name, limit, offset) })
}

func listUnits(province string, typ units.Type, name string, limit, offset int) any {
	matched := []units.Unit{}
	total := 0
	folded := foldedUnitNames()
	for i, u := range units.All() {
		if (province != "" && u.ProvinceCode != province) || (typ != "" && u.Type != typ) ||
			(name != "" && !strings.Contains(folded[i].name, name) && !strings.Contains(folded[i].nameEN, name)) {
			continue
		}
		if total >= offset && len(matched) < limit {
			matched = append(matched, u)
		}
		total++
	}
	return map[string]any{"units": matched, "total": total}
}

// foldedUnitNames are units.All()'s names folded once: folding all 3,321 names on every
// search was a quarter of the CPU of a july1-surge peak on the embedded runtime.
var foldedUnitNames = sync.OnceValue(func() []struct{ name, nameEN string } {
	all := units.All()
	out := make([]struct{ name, nameEN string }, len(all))
	for i, u := range all {
		out[i].name, out[i].nameEN = fold(u.Name), strings.ToLower(u.NameEN)
	}
	return out
})

func (s *Server) handleUnit(w http.ResponseWriter, r *http.Request) {
	u, ok := units.Lookup(r.PathValue("code"))
	if !ok {
		jsonapi.Error(w, http.StatusNotFound, "no unit with that code")
		return
	}
	writeStatic(w, "unit\x00"+u.Code, func() any { return u })
}
