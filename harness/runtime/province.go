package runtime

import (
	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/stubs/province"
)

// roleProvince is the 34 provincial case-handling systems, one reference stub keyed by
// province (stubs/province), which the reference portal hands every stored dossier to.
const roleProvince = RoleProvince

// RoleProvince is the provincial systems' role name, as Stack.Direct names it.
const RoleProvince = "province"

// provinceRoles is the provincial systems' role, unless the portal is already running:
// then whatever it hands dossiers to is its own.
func provinceRoles(sut scenarios.SUT) []roleSpec {
	if sut.Portal.Source() == scenarios.SourceURL {
		return nil
	}
	return []roleSpec{{roleProvince, scenarios.Role{}}}
}

// provinceLinks are the national document exchange (portal->exchange, to the
// provincial systems) and one link per province in front of it, so a fault can hit
// one province's system or the exchange for all.
func provinceLinks(sut scenarios.SUT) []linkSpec {
	if sut.Portal.Source() == scenarios.SourceURL {
		return nil
	}
	ls := []linkSpec{{name: scenarios.ExchangeLink, role: roleProvince}}
	for _, code := range province.Codes() {
		ls = append(ls, linkSpec{name: scenarios.ProvinceLink(code), via: scenarios.ExchangeLink})
	}
	return ls
}

// provinces are the portal's outbound URLs per province, each over its own link.
func (w wiring) provinces() map[string]string {
	out := map[string]string{}
	for _, code := range province.Codes() {
		if u, ok := w.urls[scenarios.ProvinceLink(code)]; ok {
			out[code] = u
		}
	}
	return out
}
