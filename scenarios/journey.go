package scenarios

import "time"

// Journey is a built-in journey: the steps one virtual user walks through, each its
// own request class. harness/load walks them; this is where they are defined.
type Journey struct {
	Name  string
	Steps []JourneyStep
	Doc   string
	// Channel is how the journey's dossiers are filed (ChannelNames); "" for a journey
	// that files none. With load.channels, its curve follows that channel's share.
	Channel string
}

// JourneyStep is one step as the plan counts it: Share of the journeys take it (a fee
// is paid on some dossiers only), Repeat times (a status is polled).
type JourneyStep struct {
	Name   string
	Share  float64
	Repeat int
	// Think is the wall time before the step when the journey says (a YAML journey's
	// think:); 0: the mix entry's think.
	Think time.Duration
}

const (
	// assumption: 40 % of dossiers are for procedures with a fee paid online (F3: 531,000
	// payments for 1.4 M online dossiers in H1 2022 is 38 %).
	payShare = 0.4
	// assumption: a citizen checks a new dossier's status twice in the session.
	statusPolls = 2
)

// steps lists step names taken once by every journey, then the given exceptions.
func steps(names ...string) []JourneyStep {
	out := make([]JourneyStep, len(names))
	for i, n := range names {
		out[i] = JourneyStep{Name: n, Share: 1, Repeat: 1}
		switch n {
		case "pay":
			out[i].Share = payShare
		case "status":
			out[i].Repeat = statusPolls
		}
	}
	return out
}

// Journeys are the journeys a mix can name.
var Journeys = []Journey{
	{"citizen-dossier", steps("login", "catalogue", "unit", "submit", "upload", "pay", "status"),
		"a citizen signs in through identity, searches the catalogue, looks up a commune, files a dossier (Idempotency-Key), uploads a scan, pays the fee if it has one, and polls its status", ChannelOnline},
	{"citizen-lookup", steps("login", "units", "unit", "catalogue"),
		"a citizen signs in and looks up their new commune and a procedure: the identity and read burst of 30 June – 1 July", ""},
	{"birth-bundle", steps("login", "catalogue", "submit", "status"),
		"linked procedure 1: birth registration + permanent residence + health-insurance card for a child under 6", ChannelOnline},
	{"death-bundle", steps("login", "catalogue", "submit", "status"),
		"linked procedure 2: death registration + removal of residence + funeral allowance", ChannelOnline},
	{"official-queue", steps("login", "queue", "open", "accept", "complete"),
		"a commune one-door official signs in, reads the unit's queue and works the oldest dossier", ""},
	{"official-counter", steps("login", "submit", "accept"),
		"a one-door official files a walk-in citizen's papers at the counter (the counter channel) and accepts the dossier on the spot", ChannelCounter},
}

// FindJourney returns the journey of that name, or false.
func FindJourney(name string) (Journey, bool) {
	for _, j := range Journeys {
		if j.Name == name {
			return j, true
		}
	}
	return Journey{}, false
}

// Step returns the journey's step of that name, or false.
func (j Journey) Step(name string) (JourneyStep, bool) {
	for _, st := range j.Steps {
		if st.Name == name {
			return st, true
		}
	}
	return JourneyStep{}, false
}

// StepClass is the request class of a journey step in metrics and SLOs: "<entry>.<step>".
func StepClass(entry, step string) string { return entry + "." + step }

// journeyNames are the journeys a mix of s can name: its own, then the built-in ones.
func (s *Scenario) journeyNames() []string {
	var names []string
	for _, j := range s.Journeys {
		names = append(names, j.Name)
	}
	for _, j := range Journeys {
		names = append(names, j.Name)
	}
	return names
}

// hasChecks says whether a journey step of the mix checks its answers: in class, or in
// any class when class is "".
func (s *Scenario) hasChecks(class string) bool {
	for _, m := range s.Mix {
		spec, _, ok := s.JourneySpecOf(m.Journey)
		if m.Journey == "" || !ok {
			continue
		}
		for _, st := range spec.Steps {
			if st.Check != nil && (class == "" || class == StepClass(m.EntryName(), st.Name)) {
				return true
			}
		}
	}
	return false
}
