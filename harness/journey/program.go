package journey

import (
	"fmt"
	"slices"
	"time"
)

// Program is one journey compiled: its steps and the variables they share, by slot.
type Program struct {
	Name        string
	Description string
	Channel     string
	// Slots names each variable's slot: the walk's own (Variables), the data file's
	// columns (data.<column>), then captures in the order steps make them.
	Slots []string
	// Used says which slots a template reads: a walk fills only those of its own.
	Used []bool
	Data *Data
	// Setup says whether a step reads what the reference portal's set-up learns (ref.*)
	// or signs in where sut.token says: only then does a run prepare as for the
	// reference portal (users signed in, the catalogue read) first.
	Setup bool
	Steps []*Step
}

// Slot is the slot of a name, or -1.
func (p *Program) Slot(name string) int {
	for i, n := range p.Slots {
		if n == name {
			return i
		}
	}
	return -1
}

// Body kinds.
const (
	BodyNone = iota
	BodyJSON
	BodyForm
	BodyRaw
	BodyUpload
)

// Step is one step compiled.
type Step struct {
	Name   string
	Method string
	// Target is the named system the URL is relative to (portal, identity); "" when
	// URL is absolute.
	Target  string
	URL     *Template
	Headers []Field
	Query   []Field
	Body    int
	// JSON and Raw are the body of BodyJSON and BodyRaw; Form the fields of BodyForm
	// (and of an upload's multipart form).
	JSON, Raw *Template
	Form      []Field
	Upload    *Upload
	Token     *Token
	// Think is the wall time before the step (0: the mix entry's think); Timeout bounds
	// its request (0: load.timeout).
	Think, Timeout time.Duration
	Share          float64
	Repeat         int
	Captures       []*Capture
	Checks         Checks
	// Receipt, when set, is the ID of a dossier the step's answer acknowledges: the
	// end-of-run reconciliation looks for it in the portal's receipts listing.
	Receipt *Template
	// Continue: a failed step does not end the journey.
	Continue bool
	// When, when set, takes the step only if it renders to something other than "",
	// "0" or "false" (Truthy).
	When *Template
	// MarksUnit: a step with a receipt also tells officials' journeys that the user's
	// unit has new work (ref.recent_unit).
	MarksUnit bool
}

// Field is a name and a templated value: a header, a query or form field (a query's
// name and value come escaped: the request appends them as they are).
type Field struct {
	Name  string
	Value *Template
}

// Upload is a file sent as the body: raw (Field empty) or in a multipart form under Field.
type Upload struct {
	Field, Filename, ContentType string
	Content                      []byte
}

// Token is an OAuth2 token step: a password or client-credentials grant at the step's
// URL, the token held per virtual user until three quarters of its life are gone.
type Token struct {
	Grant, ClientID, ClientSecretEnv, Scope, PasswordEnv string
	Username, Password                                   *Template
	// SUT: the endpoint, grant and client are the scenario's sut.token (the reference
	// identity provider's by default), as the built-in journeys sign in.
	SUT bool
	// NoCache signs in on every walk: a session of its own.
	NoCache bool
	// Slot is the variable the token goes into.
	Slot int
}

// Data is a CSV data file: its columns and rows, a row per virtual user.
type Data struct {
	File    string
	Columns []string
	Rows    [][]string
}

// Row is virtual user i's row.
func (d *Data) Row(i int) []string { return d.Rows[i%len(d.Rows)] }

// Variables are what every walk knows of itself, before any step.
var Variables = []Variable{
	{"vu.id", "the virtual user's personal ID number (12 digits; an official's account name in an official's journey)"},
	{"vu.index", "the virtual user's number among the population's citizens; it picks the data file's row"},
	{"vu.commune", "the code of the commune-level unit the user is drawn from"},
	{"vu.commune_name", "its name"},
	{"vu.province", "its province's code"},
	{"vu.province_name", "its province's name"},
	{"vu.tier", "its link tier: urban, rural or remote"},
	{"journey.n", "the arrival's number within its mix entry"},
	{"journey.key", "an idempotency key: the same for the same seed, entry and arrival"},
	{"run.seed", "load.seed"},
}

// Variable is one of Variables.
type Variable struct{ Name, Doc string }

// RefVariables are what the reference portal's set-up learns, for the built-in journeys.
var RefVariables = []Variable{
	{"ref.procedure", "a procedure code from the portal's catalogue"},
	{"ref.dossier_procedure", "a procedure with a fee when the walk takes its step named pay (drawn by that step's share), else one without"},
	{"ref.free_procedure", "a procedure without a fee"},
	{"ref.fee_procedure", "a procedure with a fee"},
	{"ref.other_citizen", "another citizen's personal ID"},
	{"ref.official", "an official's account at the user's unit: cb.<unit>.<1…5>"},
	{"ref.recent_official", "an official's account at a unit that recently received a dossier (a step's receipt:), else at the user's; the walk moves to that unit"},
	{"ref.search", "a term citizens type into the catalogue"},
}

func (s *Step) String() string { return fmt.Sprintf("step %s", s.Name) }

// Templates are every template the step holds.
func (s *Step) Templates() []*Template {
	out := []*Template{s.URL, s.JSON, s.Raw, s.Receipt, s.When}
	for _, fs := range [][]Field{s.Headers, s.Query, s.Form} {
		for _, f := range fs {
			out = append(out, f.Value)
		}
	}
	out = append(out, s.Checks.Contains...)
	for _, f := range s.Checks.Fields {
		out = append(out, f.Equal)
	}
	if s.Token != nil {
		out = append(out, s.Token.Username, s.Token.Password)
	}
	return slices.DeleteFunc(out, func(t *Template) bool { return t == nil })
}
