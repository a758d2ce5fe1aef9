package eval

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Column is one value column of a Table.
type Column struct {
	Name string
	// Format is the fmt verb of one float64 value, e.g. "%.1f"; "" means
	// "%g".
	Format string
}

// Row is one system or baseline of a Table.
type Row struct {
	Name   string
	Values []float64 // one per column; NaN prints as "–"
}

// Table is a results table: one row per system or baseline, one column per
// measure, printed as aligned text (String) or Markdown.
type Table struct {
	Title   string // printed above the table when not empty
	Header  string // heading of the name column, e.g. "system"
	Columns []Column
	Rows    []Row
}

// Add appends a row.
func (t *Table) Add(name string, values ...float64) {
	t.Rows = append(t.Rows, Row{Name: name, Values: values})
}

// cell formats value j of row r: "–" for NaN or a missing value, and no
// minus sign on a value that rounds to zero.
func (t *Table) cell(r Row, j int) string {
	if j >= len(r.Values) || math.IsNaN(r.Values[j]) {
		return "–"
	}
	f := t.Columns[j].Format
	if f == "" {
		f = "%g"
	}
	s := fmt.Sprintf(f, r.Values[j])
	if strings.HasPrefix(s, "-") && strings.Trim(s[1:], "0.") == "" {
		s = s[1:]
	}
	return s
}

// cells returns the header and the rows as strings.
func (t *Table) cells() [][]string {
	head := []string{t.Header}
	for _, c := range t.Columns {
		head = append(head, c.Name)
	}
	out := [][]string{head}
	for _, r := range t.Rows {
		row := []string{r.Name}
		for j := range t.Columns {
			row = append(row, t.cell(r, j))
		}
		out = append(out, row)
	}
	return out
}

// String formats the table as text: names left-aligned, values
// right-aligned, columns two spaces apart.
func (t *Table) String() string {
	cs := t.cells()
	width := make([]int, len(cs[0]))
	for _, row := range cs {
		for j, s := range row {
			width[j] = max(width[j], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n")
	}
	for _, row := range cs {
		var line strings.Builder
		for j, s := range row {
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(s))
			if j == 0 {
				line.WriteString(s + pad)
			} else {
				line.WriteString("  " + pad + s)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}

// Markdown formats the table as a Markdown table (values right-aligned),
// preceded by the title and a blank line when there is a title.
func (t *Table) Markdown() string {
	cs := t.cells()
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n\n")
	}
	b.WriteString("| " + strings.Join(cs[0], " | ") + " |\n|---|")
	for range t.Columns {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, row := range cs[1:] {
		row[0] = strings.ReplaceAll(row[0], "|", `\|`)
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}
