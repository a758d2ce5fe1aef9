package eval_test

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/avlearn/avlearn/eval"
)

// A linear probe on two features of which only the first carries the
// class, next to the majority-class baseline, as a Markdown table.
func ExampleProbe() {
	rng := rand.New(rand.NewSource(1))
	draw := func(n int) ([][]float64, []int) {
		var x [][]float64
		var y []int
		for i := 0; i < n; i++ {
			c := i % 2
			x = append(x, []float64{float64(c) + 0.3*rng.NormFloat64(), rng.NormFloat64()})
			y = append(y, c)
		}
		return x, y
	}
	s := eval.Splits{Classes: 2}
	s.Train, s.YTrain = draw(100)
	s.Val, s.YVal = draw(50)
	s.Test, s.YTest = draw(100)
	r, err := eval.Probe("features", s)
	if err != nil {
		fmt.Println(err)
		return
	}
	t := eval.ProbeResults{r}.Table("%.0f")
	maj := eval.MajorityAccuracy(s.YTrain, s.YTest)
	t.Add("majority class", math.NaN(), math.NaN(), math.NaN(), math.NaN(), 100*maj)
	fmt.Print(t.Markdown())
	// Output:
	// | features | dim | λ | train % | val % | test % | ± s.e. | test n |
	// |---|---:|---:|---:|---:|---:|---:|---:|
	// | features | 2 | 1 | 92 | 98 | 97 | 2 | 100 |
	// | majority class | – | – | – | – | 50 | – | – |
}

// Recall@k of a retrieval: query i should find item i.
func ExampleRecallAtK() {
	queries := [][]float64{{1, 0}, {0, 1}, {1, 1}}
	items := [][]float64{{0.9, 0.1}, {0.6, 0.4}, {1, 0.9}}
	sim, _ := eval.Cosine(queries, items)
	r, _ := eval.RecallAtK(sim, 1, 2)
	fmt.Printf("R@1 %.2f, R@2 %.2f\n", r[0], r[1])
	// Output: R@1 0.67, R@2 1.00
}

// The MFCC-statistics descriptor of a waveform: the mean and standard
// deviation over frames of 20 MFCCs.
func ExampleMFCCStats() {
	const rate = 16000
	x := make([]float64, rate/2)
	for i := range x {
		x[i] = 0.1 * math.Sin(2*math.Pi*440*float64(i)/rate)
	}
	d, err := eval.MFCCStats(x, eval.MFCCConfig(rate))
	fmt.Println(len(d), err)
	// Output: 40 <nil>
}

// A table of systems and baselines, as text.
func ExampleTable() {
	t := &eval.Table{Header: "system", Columns: []eval.Column{{Name: "accuracy %", Format: "%.1f"}}}
	t.Add("model", 91.25)
	t.Add("MFCC mean+std", 85)
	t.Add("chance", 25)
	fmt.Print(t)
	// Output:
	// system         accuracy %
	// model                91.2
	// MFCC mean+std        85.0
	// chance               25.0
}
