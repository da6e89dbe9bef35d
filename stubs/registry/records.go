package registry

import (
	"fmt"
	"net/http"

	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/jsonapi"
	"github.com/thongsuot/thongsuot/units"
)

// readRoutes adds GET /<name>/v1/citizens/{personal_id}: what that registry holds
// about a citizen, derived from the census.
func (s *Server) readRoutes(name string, mux *http.ServeMux) {
	record := recordOf[name]
	mux.HandleFunc("GET /"+name+"/v1/citizens/{personal_id}", func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.census.Lookup(r.PathValue("personal_id"))
		if !ok {
			jsonapi.Error(w, http.StatusNotFound, "no citizen with that personal ID")
			return
		}
		jsonapi.Write(w, http.StatusOK, record(s.census, c))
	})
}

type record = map[string]any

// recordOf builds each registry's record for a citizen. Every value is a function
// of the seed and the citizen, so repeated reads agree.
var recordOf = map[string]func(*census.Census, census.Citizen) record{
	Population: func(_ *census.Census, c census.Citizen) record {
		return record{"personal_id": c.PersonalID, "full_name": c.FullName, "birth_date": c.BirthDate,
			"sex": c.Sex, "province_code": c.ProvinceCode, "unit_code": c.UnitCode}
	},
	CivilStatus: func(p *census.Census, c census.Citizen) record {
		status := "single"
		if age(c) >= 22 {
			status = []string{"single", "married", "married", "married", "divorced", "widowed"}[p.Uint64(1, uint64(c.Index))%6]
		}
		return record{"personal_id": c.PersonalID, "marital_status": status,
			"birth_registration_no": fmt.Sprintf("%s/%s/KS", c.BirthDate[:4], digits(p, c, 2, 6))}
	},
	Residence: func(p *census.Census, c census.Citizen) record {
		u, _ := units.Lookup(c.UnitCode)
		return record{"personal_id": c.PersonalID, "kind": "permanent", "unit_code": c.UnitCode,
			"address": fmt.Sprintf("Số %d, %s, %s", 1+p.Uint64(3, uint64(c.Index))%300, u.Name, u.ProvinceName)}
	},
	SocialInsurance: func(p *census.Census, c census.Citizen) record {
		months := 0
		if a := age(c); a > 18 {
			months = int(p.Uint64(4, uint64(c.Index)) % uint64((a-18)*12+1))
		}
		return record{"personal_id": c.PersonalID, "insurance_no": c.ProvinceCode + digits(p, c, 5, 8), "contribution_months": months}
	},
	HealthInsurance: func(p *census.Census, c census.Citizen) record {
		prefix := "GD4" // household member
		if age(c) < 6 {
			prefix = "TE1" // children under 6 are covered by the state
		}
		return record{"personal_id": c.PersonalID, "card_no": prefix + c.ProvinceCode + digits(p, c, 6, 10),
			"valid_to": fmt.Sprintf("%d-12-31", referenceYear+1)}
	},
	Business: func(p *census.Census, c census.Citizen) record {
		var households []record
		if age(c) >= 18 && p.Uint64(7, uint64(c.Index))%10 == 0 {
			households = append(households, record{"registration_no": c.ProvinceCode + "A8" + digits(p, c, 8, 6), "unit_code": c.UnitCode, "status": "active"})
		}
		return record{"personal_id": c.PersonalID, "household_businesses": households}
	},
	Land: func(p *census.Census, c census.Citizen) record {
		var parcels []record
		if age(c) >= 18 {
			for j := range int(p.Uint64(9, uint64(c.Index)) % 3) {
				parcels = append(parcels, record{"sheet_no": 1 + p.Uint64(10, uint64(c.Index), uint64(j))%60,
					"parcel_no": 1 + p.Uint64(11, uint64(c.Index), uint64(j))%900, "unit_code": c.UnitCode,
					"area_m2": 40 + p.Uint64(12, uint64(c.Index), uint64(j))%460})
			}
		}
		return record{"personal_id": c.PersonalID, "parcels": parcels}
	},
	Tax: func(_ *census.Census, c census.Citizen) record {
		// From 1 July 2025 the personal ID number is the personal tax code.
		return record{"personal_id": c.PersonalID, "tax_code": c.PersonalID, "status": "active"}
	},
	JudicialRecords: func(p *census.Census, c census.Citizen) record {
		rec := "none"
		if age(c) >= 18 && p.Uint64(13, uint64(c.Index))%200 == 0 {
			rec = "has_record"
		}
		return record{"personal_id": c.PersonalID, "criminal_record": rec}
	},
	Treasury: func(_ *census.Census, c census.Citizen) record {
		// A citizen's standing with the treasury: fees are settled per dossier, not owed.
		return record{"personal_id": c.PersonalID, "outstanding_vnd": 0}
	},
}

// referenceYear is the year ages are counted at, fixed so that records do not
// change with the calendar.
const referenceYear = 2025

func age(c census.Citizen) int {
	var y int
	_, _ = fmt.Sscanf(c.BirthDate[:4], "%d", &y)
	return referenceYear - y
}

func digits(p *census.Census, c census.Citizen, salt uint64, n int) string {
	mod := uint64(1)
	for range n {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", n, p.Uint64(salt, uint64(c.Index))%mod)
}
