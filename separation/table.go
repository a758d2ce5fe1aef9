package separation

import "github.com/avlearn/avlearn/eval"

// Table lays out the metrics as a results table: one row per system (and
// condition, when there are several), columns SI-SDR, SI-SDRi, SDR and SDRi
// in dB and the share of mixtures whose voices came out at the right faces.
func (m Metrics) Table() *eval.Table {
	t := &eval.Table{Header: "system", Columns: []eval.Column{
		{Name: "SI-SDR", Format: "%.1f"}, {Name: "SI-SDRi", Format: "%.1f"},
		{Name: "SDR", Format: "%.1f"}, {Name: "SDRi", Format: "%.1f"},
		{Name: "right face", Format: "%.0f%%"},
	}}
	conds := map[string]bool{}
	for _, r := range m.Rows {
		conds[r.Condition] = true
	}
	for _, r := range m.Rows {
		name := r.System
		if len(conds) > 1 {
			name += ", " + r.Condition
		}
		t.Add(name, r.SISDR, r.SISDRi, r.SDR, r.SDRi, 100*r.Assigned)
	}
	return t
}
