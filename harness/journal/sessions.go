package journal

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"
)

// sessionsFile holds the sessions a run had in progress, window by window.
const sessionsFile = "sessions.json"

// maxSessionsFile bounds sessions.json as read back: a sample per window.
const maxSessionsFile = 64 << 20

// Sessions are the journeys a run had in progress — each user's session from arrival to
// last answer, thinks included — window by window, and Little's law over the run: the
// mean number in progress (L) against the rate sessions began (λ) times their mean
// length (W).
type Sessions struct {
	Windows []SessionWindow `json:"windows"`
	Started int64           `json:"started"` // sessions begun
	Ended   int64           `json:"ended"`   // sessions ended before the load stopped
	Peak    int64           `json:"peak"`    // the most in progress at once
	// MeanInFlight is L: the time-average of the number in progress over the run.
	MeanInFlight float64 `json:"mean_in_flight"`
	// ArrivalRate is λ: sessions begun per wall second.
	ArrivalRate float64 `json:"arrival_rate"`
	// MeanSeconds is W: the mean wall length of the sessions that ended.
	MeanSeconds float64 `json:"mean_seconds"`
	// LittlesLaw is λ·W; Ratio is L / (λ·W), 1 when the books balance (0 with no session).
	LittlesLaw float64 `json:"littles_law"`
	Ratio      float64 `json:"ratio"`
	// Planned is what the plan expects in progress at the run's compression, on average
	// over the run: the modelled sessions (thinks in scenario time) over compress.
	Planned float64 `json:"planned_mean_in_flight"`
	// PlannedPeak is the model's peak of concurrent sessions in the world the scenario
	// describes, at its scale (what `thongsuot plan` sets beside calibration F2).
	PlannedPeak float64 `json:"planned_peak"`
}

// SessionWindow is one window's sessions in progress.
type SessionWindow struct {
	Index    int           `json:"index"`
	Start    time.Duration `json:"start"`          // wall offset, ns
	Scenario time.Time     `json:"scenario_start"` // scenario time at Start
	Mean     float64       `json:"mean"`           // time-averaged in progress over the window
	Peak     int64         `json:"peak"`           // most in progress at once in the window
	Started  int64         `json:"started"`        // sessions begun in the window
}

// WriteSessions records the run's sessions in its journal.
func WriteSessions(runDir string, s *Sessions) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(runDir, Dir, sessionsFile), append(data, '\n'), 0o644)
}

func readSessions(runDir string) (*Sessions, error) {
	s, path, err := readOptional[Sessions](runDir, sessionsFile, maxSessionsFile)
	if s == nil || err != nil {
		return nil, err
	}
	for _, v := range []float64{s.MeanInFlight, s.ArrivalRate, s.MeanSeconds, s.LittlesLaw, s.Ratio, s.Planned, s.PlannedPeak} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("%s:1: a negative or non-finite figure", path)
		}
	}
	return s, nil
}
