package nets

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// WriteCSV writes the history as CSV, one row per epoch:
// epoch,train_loss,val_loss,lr,grad_norm,seconds (val_loss is empty
// without a validation set). The file is replaced atomically.
func (h History) WriteCSV(path string) error {
	return stWriteAtomic(path, func(w io.Writer) error {
		if _, err := fmt.Fprintln(w, "epoch,train_loss,val_loss,lr,grad_norm,seconds"); err != nil {
			return err
		}
		for _, e := range h.Epochs {
			val := ""
			if !math.IsNaN(e.ValLoss) {
				val = fmt.Sprint(e.ValLoss)
			}
			if _, err := fmt.Fprintf(w, "%d,%v,%s,%v,%v,%.4g\n", e.Epoch, e.TrainLoss, val, e.LR, e.GradNorm, e.Duration.Seconds()); err != nil {
				return err
			}
		}
		return nil
	})
}

// PlotPNG draws the training (and validation) loss against the epoch as a
// 16×10 cm PNG, replaced atomically, titled with h.Loss. The loss axis is logarithmic when the
// losses are positive and span more than two decades.
func (h History) PlotPNG(path string) error {
	p := plot.New()
	p.Title.Text = "training loss"
	p.Y.Label.Text = "loss"
	if h.Loss != "" {
		p.Title.Text, p.Y.Label.Text = h.Loss, h.Loss
	}
	p.X.Label.Text = "epoch"
	p.Add(plotter.NewGrid())
	var tr, va plotter.XYs
	for _, e := range h.Epochs {
		tr = append(tr, plotter.XY{X: float64(e.Epoch), Y: e.TrainLoss})
		if !math.IsNaN(e.ValLoss) {
			va = append(va, plotter.XY{X: float64(e.Epoch), Y: e.ValLoss})
		}
	}
	for _, c := range []struct {
		name string
		xy   plotter.XYs
		col  color.Color
	}{{"train", tr, color.RGBA{R: 31, G: 119, B: 180, A: 255}}, {"validation", va, color.RGBA{R: 255, G: 127, B: 14, A: 255}}} {
		if len(c.xy) == 0 {
			continue
		}
		// points as well as lines: a one-epoch run still shows its loss
		l, pts, err := plotter.NewLinePoints(c.xy)
		if err != nil {
			return fmt.Errorf("nets: plotting %s: %w", path, err)
		}
		l.Color, pts.Color = c.col, c.col
		l.Width = vg.Points(1.5)
		pts.Shape = draw.CircleGlyph{}
		pts.Radius = vg.Points(2)
		p.Add(l, pts)
		p.Legend.Add(c.name, l, pts)
	}
	p.Legend.Top = true
	if lo, hi := plotRange(tr, va); lo > 0 && hi/lo > 100 {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	wt, err := p.WriterTo(16*vg.Centimeter, 10*vg.Centimeter, "png")
	if err != nil {
		return fmt.Errorf("nets: plotting %s: %w", path, err)
	}
	return stWriteAtomic(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// plotRange returns the smallest and largest Y of the curves.
func plotRange(cs ...plotter.XYs) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, c := range cs {
		for _, p := range c {
			lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
		}
	}
	return lo, hi
}
