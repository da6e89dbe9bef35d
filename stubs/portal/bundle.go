package portal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
	"github.com/thongsuot/thongsuot/stubs/registry"
)

// A bundle is one of the two linked-procedure submissions of the 2025 reform:
// the citizen files once and the portal carries each step to its registry. The
// steps go through the outbox (outbox.go) in order; each later step may use what
// an earlier one returned (the newborn's personal ID).
//
// A bundle is acknowledged (201) without the synchronous population check that a
// single dossier gets: its first step is the population registry, which verifies
// the applicant, so a population outage delays the bundle instead of refusing it.

// stepSpec is one step of a bundle.
type stepSpec struct {
	name     string
	registry string
	path     string
	body     func(b bundleInput, prior map[string]map[string]any) map[string]string
}

// bundleInput is what a step body is built from.
type bundleInput struct {
	applicant, unit string
	form            map[string]string
}

var bundleSteps = map[string][]stepSpec{
	BundleBirth: {
		{"issue-personal-id", registry.Population, "/population/v1/personal-ids", func(b bundleInput, _ map[string]map[string]any) map[string]string {
			return map[string]string{"applicant_id": b.applicant, "full_name": b.form["child_name"], "sex": b.form["child_sex"], "birth_date": b.form["child_birth_date"], "unit_code": b.unit}
		}},
		{"register-birth", registry.CivilStatus, "/civil-status/v1/births", func(b bundleInput, p map[string]map[string]any) map[string]string {
			return map[string]string{"personal_id": str(p["issue-personal-id"]["personal_id"]), "child_name": b.form["child_name"], "sex": b.form["child_sex"],
				"birth_date": b.form["child_birth_date"], "father_id": b.form["father_id"], "mother_id": b.form["mother_id"], "unit_code": b.unit}
		}},
		{"register-permanent-residence", registry.Residence, "/residence/v1/permanent-registrations", func(b bundleInput, p map[string]map[string]any) map[string]string {
			return map[string]string{"personal_id": str(p["issue-personal-id"]["personal_id"]), "household_head_id": b.applicant, "unit_code": b.unit}
		}},
		{"issue-health-insurance-card", registry.HealthInsurance, "/health-insurance/v1/cards", func(b bundleInput, p map[string]map[string]any) map[string]string {
			return map[string]string{"personal_id": str(p["issue-personal-id"]["personal_id"]), "unit_code": b.unit}
		}},
	},
	BundleDeath: {
		{"record-death", registry.Population, "/population/v1/deaths", func(b bundleInput, _ map[string]map[string]any) map[string]string {
			return map[string]string{"personal_id": b.form["deceased_id"], "applicant_id": b.applicant, "date_of_death": b.form["date_of_death"], "unit_code": b.unit}
		}},
		{"register-death", registry.CivilStatus, "/civil-status/v1/deaths", func(b bundleInput, _ map[string]map[string]any) map[string]string {
			return map[string]string{"personal_id": b.form["deceased_id"], "date_of_death": b.form["date_of_death"], "unit_code": b.unit}
		}},
		{"remove-permanent-residence", registry.Residence, "/residence/v1/removals", func(b bundleInput, _ map[string]map[string]any) map[string]string {
			return map[string]string{"personal_id": b.form["deceased_id"], "reason": "deceased", "unit_code": b.unit}
		}},
		{"grant-funeral-allowance", registry.SocialInsurance, "/social-insurance/v1/funeral-allowances", func(b bundleInput, _ map[string]map[string]any) map[string]string {
			return map[string]string{"personal_id": b.form["deceased_id"], "beneficiary_id": b.applicant, "unit_code": b.unit}
		}},
	},
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v) // a map[string]string always marshals
	return b
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

var personalIDPattern = regexp.MustCompile(`^\d{12}$`)

// bundleSubmission is the body of POST /api/v1/bundles: the form is flat strings.
type bundleSubmission struct {
	ProcedureCode string            `json:"procedure_code"`
	UnitCode      string            `json:"unit_code"`
	Form          map[string]string `json:"form"`
}

func validateBundleForm(code, applicant string, f map[string]string) error {
	bad := func(msg string) error { return &jsonapi.StatusError{Code: http.StatusUnprocessableEntity, Msg: msg} }
	switch code {
	case BundleBirth:
		if f["child_name"] == "" {
			return bad("form.child_name is required")
		}
		if f["child_sex"] != "male" && f["child_sex"] != "female" {
			return bad("form.child_sex must be male or female")
		}
		born, err := time.Parse(time.DateOnly, f["child_birth_date"])
		if err != nil || born.After(time.Now()) || time.Since(born) > 6*365*24*time.Hour {
			return bad("form.child_birth_date must be a date (YYYY-MM-DD) within the last 6 years")
		}
		for _, k := range []string{"father_id", "mother_id"} {
			if v := f[k]; v != "" && !personalIDPattern.MatchString(v) {
				return bad("form." + k + " must be a 12-digit personal ID")
			}
		}
	case BundleDeath:
		if !personalIDPattern.MatchString(f["deceased_id"]) || f["deceased_id"] == applicant {
			return bad("form.deceased_id must be the 12-digit personal ID of someone other than the applicant")
		}
		if _, err := time.Parse(time.DateOnly, f["date_of_death"]); err != nil {
			return bad("form.date_of_death must be a date (YYYY-MM-DD)")
		}
	}
	return nil
}

func (s *Server) handleSubmitBundle(w http.ResponseWriter, r *http.Request) {
	c := claimsFrom(r)
	var in bundleSubmission
	key, err := s.decodeSubmission(w, r, &in)
	if err != nil {
		jsonapi.Fail(w, err, http.StatusBadRequest)
		return
	}
	sub := submission{ProcedureCode: in.ProcedureCode, UnitCode: in.UnitCode, Form: mustJSON(in.Form)}
	p, err := sub.validate(true)
	if err != nil {
		s.fail(w, err)
		return
	}
	if err := validateBundleForm(p.Code, c.Subject, in.Form); err != nil {
		s.fail(w, err)
		return
	}
	var steps []Step
	for i, sp := range bundleSteps[p.Code] {
		steps = append(steps, Step{Step: i + 1, Name: sp.name, Registry: sp.registry, Path: sp.path})
	}
	d := &Dossier{Kind: "bundle", ProcedureCode: p.Code, UnitCode: in.UnitCode, Applicant: c.Subject, FeeVND: p.FeeVND, Form: sub.Form, Status: StatusProcessing}
	s.create(w, r, d, key, steps)
}

func stepSpecFor(code, name string) (stepSpec, error) {
	for _, sp := range bundleSteps[code] {
		if sp.name == name {
			return sp, nil
		}
	}
	return stepSpec{}, fmt.Errorf("bundle %s has no step %s", code, name)
}
