package separation

import (
	"math"
	"testing"
)

func TestMetricsTable(t *testing.T) {
	m := Metrics{Rows: []Result{
		{System: "model", Condition: "2 speakers", SISDR: 10.04, SISDRi: 9.96, SDR: 10.5, SDRi: 10.3, Assigned: 0.985},
		{System: "unprocessed mixture", Condition: "2 speakers", SISDR: 0.08, SISDRi: 0, SDR: -0.01, SDRi: 0, Assigned: math.NaN()},
	}}
	want := "| system | SI-SDR | SI-SDRi | SDR | SDRi | right face |\n|---|---:|---:|---:|---:|---:|\n" +
		"| model | 10.0 | 10.0 | 10.5 | 10.3 | 98% |\n" +
		"| unprocessed mixture | 0.1 | 0.0 | 0.0 | 0.0 | – |\n"
	if got := m.Table().Markdown(); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
	m.Rows[1].Condition = "similar"
	if got := m.Table().Rows[1].Name; got != "unprocessed mixture, similar" {
		t.Errorf("row of a second condition named %q", got)
	}
}
