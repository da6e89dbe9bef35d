package sizing

import (
	"encoding/base64"
	"html/template"
	"os"
	"path/filepath"
	"strings"
)

var page = template.Must(template.New("sizing").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.S.Scenario}}: bandwidth sizing</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
pre{background:#f6f6f6;padding:1em;overflow-x:auto}img{max-width:100%}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#eee}td:first-child{text-align:left}</style></head><body>
<h1>{{.S.Scenario}}: bandwidth sizing</h1>
<section id="sizing"><h2>Least uplink bandwidth per tier</h2>
<p>Each tier's link carried the scenario's traffic{{if gt .S.Units 1}} × {{.S.Units}} units{{end}}, its bandwidth shared by every
connection; the minimum is the least bandwidth at which every objective held, the analytic
estimate the bytes on the wire per second (headers included) the busier way.</p>
<pre>{{.Table}}</pre>
{{if .PNG}}<img alt="p95 and availability against bandwidth per tier" src="data:image/png;base64,{{.PNG}}">{{end}}
<h3>Probes</h3><table><tr><th>tier</th><th>Mbps</th><th>verdict</th><th>p95</th><th>availability</th><th>up / down Mbps</th><th>retry</th><th>why</th></tr>
{{range .S.Results}}{{$t := .Tier}}{{range .Probes}}<tr><td>{{$t}}</td><td>{{if gt .Mbps 0.0}}{{printf "%.3g" .Mbps}}{{else}}uncapped{{end}}</td><td>{{.Verdict}}</td><td>{{.P95}}</td><td>{{printf "%.2f" .Availability}} %</td><td>{{printf "%.2f / %.2f" .UpMbps .DownMbps}}</td><td>{{if .Retry}}yes{{end}}</td><td>{{.Why}}</td></tr>
{{end}}{{end}}</table></section></body></html>
`))

// WriteHTML writes report.html beside sizing.png: the table, the figure, every probe.
func (s Sizing) WriteHTML(path string) error {
	var table strings.Builder
	if err := s.WriteTable(&table); err != nil {
		return err
	}
	png, _ := os.ReadFile(filepath.Join(filepath.Dir(path), "sizing.png"))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = page.Execute(f, struct {
		S     Sizing
		Table string
		PNG   string
	}{s, table.String(), base64.StdEncoding.EncodeToString(png)})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
