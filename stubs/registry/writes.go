package registry

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
	"github.com/thongsuot/thongsuot/units"
)

// write is one state-changing registry operation used by the linked-procedure
// bundles. Every write needs an Idempotency-Key header; a repeat returns the first
// result with Idempotent-Replayed: true.
type write struct {
	registry, kind string
	people         []string // fields that must name a census citizen
	optional       []string // fields that may name one
	result         func(s *Server, key string, body map[string]string) map[string]any
}

// FuneralAllowanceVND is ten months of the base salary (2,340,000 VND from 1 July 2024).
const FuneralAllowanceVND = 23_400_000

var writes = []write{
	{Population, "personal-ids", []string{"applicant_id"}, nil, func(s *Server, key string, b map[string]string) map[string]any {
		// A newborn gets a personal ID: province of the registering unit, born this
		// century, a serial from the key so a replay gives the same number.
		u, _ := units.Lookup(b["unit_code"])
		sexDigit := 2
		if b["sex"] == "female" {
			sexDigit = 3
		}
		return map[string]any{"personal_id": fmt.Sprintf("0%s%d25%06d", u.ProvinceCode, sexDigit, s.census.Uint64(hash(key))%1_000_000)}
	}},
	{Population, "deaths", []string{"personal_id", "applicant_id"}, nil, func(s *Server, key string, b map[string]string) map[string]any {
		return map[string]any{"personal_id": b["personal_id"], "status": "deceased"}
	}},
	{CivilStatus, "births", nil, []string{"father_id", "mother_id"}, func(s *Server, key string, b map[string]string) map[string]any {
		return map[string]any{"registration_no": serial(s, "KS", key)}
	}},
	{CivilStatus, "deaths", []string{"personal_id"}, nil, func(s *Server, key string, b map[string]string) map[string]any {
		return map[string]any{"registration_no": serial(s, "KT", key)}
	}},
	{Residence, "permanent-registrations", nil, nil, func(s *Server, key string, b map[string]string) map[string]any {
		return map[string]any{"registration_no": serial(s, "TT", key)}
	}},
	{Residence, "removals", []string{"personal_id"}, nil, func(s *Server, key string, b map[string]string) map[string]any {
		return map[string]any{"registration_no": serial(s, "XT", key)}
	}},
	{HealthInsurance, "cards", nil, nil, func(s *Server, key string, b map[string]string) map[string]any {
		u, _ := units.Lookup(b["unit_code"])
		return map[string]any{"card_no": fmt.Sprintf("TE1%s%010d", u.ProvinceCode, s.census.Uint64(hash(key))%10_000_000_000)}
	}},
	{Treasury, "fee-settlements", []string{"payer_id"}, nil, func(s *Server, key string, b map[string]string) map[string]any {
		// A fee paid online, settled to the treasury account of the unit's province.
		u, _ := units.Lookup(b["unit_code"])
		return map[string]any{"settlement_no": serial(s, "KB", key), "account": "3511." + u.ProvinceCode, "amount_vnd": b["amount_vnd"],
			"e_receipt": b["e_receipt"]}
	}},
	{SocialInsurance, "funeral-allowances", []string{"personal_id", "beneficiary_id"}, nil, func(s *Server, key string, b map[string]string) map[string]any {
		return map[string]any{"decision_no": serial(s, "MT", key), "amount_vnd": FuneralAllowanceVND}
	}},
}

func (s *Server) writeRoutes(name string, mux *http.ServeMux) {
	for _, wr := range writes {
		if wr.registry != name {
			continue
		}
		mux.HandleFunc("POST /"+name+"/v1/"+wr.kind, func(w http.ResponseWriter, r *http.Request) { s.handleWrite(w, r, wr) })
	}
}

func (s *Server) handleWrite(w http.ResponseWriter, r *http.Request, wr write) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || len(key) > 200 {
		jsonapi.Error(w, http.StatusBadRequest, "Idempotency-Key header (1–200 characters) is required")
		return
	}
	var body map[string]string
	if err := jsonapi.Decode(w, r, 16<<10, &body); err != nil {
		jsonapi.Fail(w, err, http.StatusBadRequest)
		return
	}
	if _, ok := units.Lookup(body["unit_code"]); !ok {
		jsonapi.Error(w, http.StatusUnprocessableEntity, "unit_code is not a commune-level unit")
		return
	}
	for _, f := range wr.people {
		if _, ok := s.census.Lookup(body[f]); !ok {
			jsonapi.Error(w, http.StatusUnprocessableEntity, f+" is not a known personal ID")
			return
		}
	}
	for _, f := range wr.optional {
		if _, ok := s.census.Lookup(body[f]); body[f] != "" && !ok {
			jsonapi.Error(w, http.StatusUnprocessableEntity, f+" is not a known personal ID")
			return
		}
	}
	res, replay := s.ledger.apply(wr.registry, wr.kind, key, func() map[string]any { return wr.result(s, key, body) })
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	jsonapi.Write(w, http.StatusCreated, res)
}

// serial is a registration number derived from the key, so a replay and the first
// answer agree without storing anything else.
func serial(s *Server, book, key string) string {
	return fmt.Sprintf("%s-%08d", strings.ToUpper(book), s.census.Uint64(hash(key), hash(book))%100_000_000)
}

func hash(s string) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
