package eval

import (
	"math"
	"testing"
)

func TestTable(t *testing.T) {
	tb := &Table{Title: "results", Header: "system", Columns: []Column{{Name: "SI-SDR", Format: "%.1f"}, {Name: "n"}}}
	tb.Add("model", 10.04, 100)
	tb.Add("a|b", -0.04, math.NaN())
	wantText := "results\n" +
		"system  SI-SDR    n\n" +
		"model     10.0  100\n" +
		"a|b        0.0    –\n"
	if got := tb.String(); got != wantText {
		t.Errorf("String:\n%s\nwant:\n%s", got, wantText)
	}
	wantMD := "results\n\n" +
		"| system | SI-SDR | n |\n|---|---:|---:|\n" +
		"| model | 10.0 | 100 |\n" +
		"| a\\|b | 0.0 | – |\n"
	if got := tb.Markdown(); got != wantMD {
		t.Errorf("Markdown:\n%s\nwant:\n%s", got, wantMD)
	}
	if got := tb.cell(Row{Values: []float64{-1.25}}, 0); got != "-1.2" && got != "-1.3" {
		t.Errorf("negative value printed as %q", got)
	}
}
