package eval

import (
	"fmt"
	"math"
	"math/rand"
)

// KMeans is a k-means clustering of feature vectors: the discrete-unit
// baseline that learned units are measured against.
type KMeans struct {
	Centroids [][]float64
}

// TrainKMeans clusters x into k groups: k-means++ seeding from seed, then
// Lloyd iterations until no vector changes cluster or iters rounds. An
// empty cluster is re-seeded with the vector farthest from its centroid.
func TrainKMeans(x [][]float64, k, iters int, seed int64) (*KMeans, error) {
	if k < 1 || len(x) < k {
		return nil, fmt.Errorf("eval: k-means: %d vectors for %d clusters", len(x), k)
	}
	d := len(x[0])
	for i, v := range x {
		if len(v) != d {
			return nil, fmt.Errorf("eval: k-means: vector %d has %d values, vector 0 has %d", i, len(v), d)
		}
	}
	r := rand.New(rand.NewSource(seed))
	km := &KMeans{Centroids: [][]float64{append([]float64(nil), x[r.Intn(len(x))]...)}}
	dist := make([]float64, len(x))
	for i, v := range x {
		dist[i] = sqDist(v, km.Centroids[0])
	}
	for len(km.Centroids) < k {
		tot := 0.0
		for _, v := range dist {
			tot += v
		}
		pick := r.Intn(len(x))
		if tot > 0 {
			u := r.Float64() * tot
			for i, v := range dist {
				if u -= v; u <= 0 {
					pick = i
					break
				}
			}
		}
		c := append([]float64(nil), x[pick]...)
		km.Centroids = append(km.Centroids, c)
		for i, v := range x {
			dist[i] = math.Min(dist[i], sqDist(v, c))
		}
	}
	assign := make([]int, len(x))
	for i := range assign {
		assign[i] = -1
	}
	for it := 0; it < iters; it++ {
		changed := 0
		for i, v := range x {
			c, dd := km.nearest(v)
			dist[i] = dd
			if c != assign[i] {
				assign[i] = c
				changed++
			}
		}
		if changed == 0 {
			break
		}
		sums := make([][]float64, k)
		counts := make([]int, k)
		for c := range sums {
			sums[c] = make([]float64, d)
		}
		for i, v := range x {
			counts[assign[i]]++
			for j, a := range v {
				sums[assign[i]][j] += a
			}
		}
		for c := range sums {
			if counts[c] == 0 {
				far := 0
				for i := range dist {
					if dist[i] > dist[far] {
						far = i
					}
				}
				copy(km.Centroids[c], x[far])
				dist[far] = 0
				continue
			}
			for j := range sums[c] {
				km.Centroids[c][j] = sums[c][j] / float64(counts[c])
			}
		}
	}
	return km, nil
}

// Assign returns the index of the centroid nearest to v.
func (km *KMeans) Assign(v []float64) int {
	c, _ := km.nearest(v)
	return c
}

func (km *KMeans) nearest(v []float64) (int, float64) {
	best, bd := 0, math.Inf(1)
	for c, m := range km.Centroids {
		if dd := sqDist(v, m); dd < bd {
			best, bd = c, dd
		}
	}
	return best, bd
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		e := a[i] - b[i]
		s += e * e
	}
	return s
}

// Purity is the fraction of items whose label is the most common label of
// their unit: Σ_u max_l n(u, l) / N, for units[i] and labels[i] of item i.
// 1 means every unit holds one label; a single unit scores the share of
// the most common label.
func Purity(units []int, labels []string) (float64, error) {
	if len(units) != len(labels) {
		return 0, fmt.Errorf("eval: purity: %d units for %d labels", len(units), len(labels))
	}
	if len(units) == 0 {
		return 0, fmt.Errorf("eval: purity: no items")
	}
	counts := map[int]map[string]int{}
	for i, u := range units {
		if counts[u] == nil {
			counts[u] = map[string]int{}
		}
		counts[u][labels[i]]++
	}
	hit := 0
	for _, m := range counts {
		best := 0
		for _, n := range m {
			best = max(best, n)
		}
		hit += best
	}
	return float64(hit) / float64(len(units)), nil
}
