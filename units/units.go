// Package units is the list of Vietnam's administrative units after the 1 July 2025
// reform (34 provinces, 3,321 commune-level units), embedded from the reference CSV
// so that the portal, the census and the load population all agree on the same codes.
package units

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
)

//go:embed admin-units-2025-07-01.csv
var csvData string

// Type is the kind of commune-level unit.
type Type string

const (
	Commune     Type = "commune"
	Ward        Type = "ward"
	SpecialZone Type = "special_zone" // island districts
)

// Unit is one commune-level unit and its province.
type Unit struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	NameEN         string `json:"name_en"`
	Type           Type   `json:"type"`
	ProvinceCode   string `json:"province_code"`
	ProvinceName   string `json:"province_name"`
	ProvinceNameEN string `json:"province_name_en"`
	ProvinceIsCity bool   `json:"province_is_city"`
}

// Province is one of the 34 provinces and centrally-run cities.
type Province struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	IsCity bool   `json:"is_city"`
	Units  int    `json:"units"`
}

var (
	loadOnce  sync.Once
	all       []Unit
	byCode    map[string]int
	provinces []Province
)

func load() {
	r := csv.NewReader(strings.NewReader(csvData))
	rows, err := r.ReadAll()
	if err != nil {
		panic(fmt.Sprintf("units: embedded CSV is corrupt: %v", err)) // a build defect, not input
	}
	byCode = make(map[string]int, len(rows))
	provIndex := map[string]int{}
	for _, row := range rows[1:] {
		u := Unit{
			ProvinceCode: row[0], ProvinceName: row[1], ProvinceNameEN: row[2],
			ProvinceIsCity: row[3] == "city",
			Code:           row[4], Name: row[5], NameEN: row[6], Type: Type(row[7]),
		}
		byCode[u.Code] = len(all)
		all = append(all, u)
		i, ok := provIndex[u.ProvinceCode]
		if !ok {
			i = len(provinces)
			provIndex[u.ProvinceCode] = i
			provinces = append(provinces, Province{Code: u.ProvinceCode, Name: u.ProvinceName, NameEN: u.ProvinceNameEN, IsCity: u.ProvinceIsCity})
		}
		provinces[i].Units++
	}
}

// All returns every commune-level unit in file order (grouped by province). The slice
// is shared: do not modify it.
func All() []Unit {
	loadOnce.Do(load)
	return all
}

// Provinces returns the 34 provinces in file order. The slice is shared.
func Provinces() []Province {
	loadOnce.Do(load)
	return provinces
}

// Lookup finds a unit by its five-digit code.
func Lookup(code string) (Unit, bool) {
	loadOnce.Do(load)
	i, ok := byCode[code]
	if !ok {
		return Unit{}, false
	}
	return all[i], true
}
