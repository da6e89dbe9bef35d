package scenarios

import "github.com/thongsuot/thongsuot/units"

// The national document exchange carries every dossier from the portal to the
// case-handling system of its province (seeds 002, 003: the 34 provincial TTHC systems;
// new agency codes on the exchange from 30 June). ExchangeLink is the exchange itself:
// a fault there hits every province; ProvinceLink is one province's system, in front
// of it.
const ExchangeLink = "portal->exchange"

// ProvinceLink names the link to one province's case-handling system.
func ProvinceLink(code string) string { return "exchange->province." + code }

// exchangeLinks are the exchange and one link per province.
func exchangeLinks() []string {
	ls := []string{ExchangeLink}
	for _, p := range units.Provinces() {
		ls = append(ls, ProvinceLink(p.Code))
	}
	return ls
}
