package journal

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// provincesFile holds what the provincial case-handling systems received.
const provincesFile = "provinces.json"

// Provinces is what the 34 provincial case-handling systems had received from the
// portal at the end of the run, over the national document exchange: per province,
// how many dossiers and how long after their submission they arrived. A fault on a
// province's link shows as that province's delay.
type Provinces struct {
	Received []ProvinceIntake `json:"received"`        // by province code
	Dossiers int64            `json:"dossiers"`        // received, all provinces
	Error    string           `json:"error,omitempty"` // why it could not be read
}

// ProvinceIntake is one province's.
type ProvinceIntake struct {
	Province string  `json:"province"`
	Dossiers int64   `json:"dossiers"`
	LagP50   float64 `json:"lag_p50_ms"` // submission to arrival
	LagP99   float64 `json:"lag_p99_ms"`
	LagMax   float64 `json:"lag_max_ms"`
}

// WriteProvinces records the provinces' intake in the run's journal.
func WriteProvinces(runDir string, p *Provinces) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(runDir, Dir, provincesFile), append(data, '\n'), 0o644)
}

func readProvinces(runDir string) (*Provinces, error) {
	p, _, err := readOptional[Provinces](runDir, provincesFile, maxReconciliationFile)
	return p, err
}
