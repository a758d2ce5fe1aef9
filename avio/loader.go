package avio

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// LoaderOptions controls how a Loader batches clips.
type LoaderOptions struct {
	BatchSize int    // items per batch; 0 means 1
	Shuffle   bool   // a new order every epoch, a function of Seed and the epoch only
	Seed      uint64 // seed of the shuffle
	Workers   int    // clips loaded in parallel; 0 means GOMAXPROCS
	// CacheItems keeps up to this many loaded items in memory, least
	// recently used dropped first, so later epochs skip the loading. 0
	// disables the cache. Cached items are shared between batches: treat
	// them as read-only.
	CacheItems int
	// SkipBad drops a clip whose load fails — it is left out of its batch,
	// which comes out shorter, and listed by Skipped — instead of ending the
	// epoch with the error.
	SkipBad  bool
	DropLast bool // leave out a final batch shorter than BatchSize
}

// Batch is one batch of loaded items, in the epoch's order.
type Batch[T any] struct {
	Index int     // batch number within the epoch
	Clips []*Clip // Clips[i] gave Items[i]
	Items []T
}

// LoadError is the error of loading one clip.
type LoadError struct {
	Clip string
	Err  error
}

// Error names the clip once, then the problem.
func (e *LoadError) Error() string {
	msg := e.Err.Error()
	if strings.HasPrefix(msg, "clip "+e.Clip+":") {
		return msg
	}
	return "clip " + e.Clip + ": " + msg
}

// Unwrap returns the load function's error.
func (e *LoadError) Unwrap() error { return e.Err }

// Loader turns clips into batches of items made by a load function (which
// reads, say, an audio window and a few frames of a clip). Items are loaded
// lazily by a pool of workers a little ahead of the consumer; the batches
// and their order depend only on the clips, the options and the epoch, not
// on timing or the number of workers.
type Loader[T any] struct {
	clips []*Clip
	load  func(*Clip) (T, error)
	o     LoaderOptions

	mu      sync.Mutex
	lru     *list.List              // of *cacheEntry[T], most recent first
	cache   map[*Clip]*list.Element // into lru
	bad     map[*Clip]*LoadError    // clips that failed, when SkipBad
	skipped []*LoadError            // in the order they were found
}

type cacheEntry[T any] struct {
	clip *Clip
	v    T
}

// NewLoader returns a loader of clips through load.
func NewLoader[T any](clips []*Clip, load func(*Clip) (T, error), o LoaderOptions) (*Loader[T], error) {
	if load == nil {
		return nil, errors.New("loader: nil load function")
	}
	if o.BatchSize < 0 || o.Workers < 0 || o.CacheItems < 0 {
		return nil, fmt.Errorf("loader: negative option in %+v", o)
	}
	if o.BatchSize == 0 {
		o.BatchSize = 1
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return &Loader[T]{clips: clips, load: load, o: o, lru: list.New(),
		cache: map[*Clip]*list.Element{}, bad: map[*Clip]*LoadError{}}, nil
}

// NumBatches returns the number of batches in an epoch (before skips).
func (l *Loader[T]) NumBatches() int {
	n, bs := len(l.clips), l.o.BatchSize
	if l.o.DropLast {
		return n / bs
	}
	return (n + bs - 1) / bs
}

// Skipped returns the errors of the clips SkipBad has dropped so far.
func (l *Loader[T]) Skipped() []*LoadError {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*LoadError(nil), l.skipped...)
}

// Order returns the clips in the order epoch visits them.
func (l *Loader[T]) Order(epoch int) []*Clip {
	out := append([]*Clip(nil), l.clips...)
	if l.o.Shuffle {
		r := rand.New(rand.NewPCG(l.o.Seed, uint64(epoch)))
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// get loads c through the cache.
func (l *Loader[T]) get(c *Clip) (T, error) {
	l.mu.Lock()
	if e, ok := l.cache[c]; ok {
		l.lru.MoveToFront(e)
		v := e.Value.(*cacheEntry[T]).v
		l.mu.Unlock()
		return v, nil
	}
	if le, ok := l.bad[c]; ok {
		l.mu.Unlock()
		var zero T
		return zero, le
	}
	l.mu.Unlock()
	v, err := l.load(c)
	if err != nil {
		var zero T
		return zero, &LoadError{Clip: c.Name, Err: err}
	}
	if l.o.CacheItems > 0 {
		l.mu.Lock()
		if _, ok := l.cache[c]; !ok {
			l.cache[c] = l.lru.PushFront(&cacheEntry[T]{c, v})
			for l.lru.Len() > l.o.CacheItems {
				old := l.lru.Remove(l.lru.Back()).(*cacheEntry[T])
				delete(l.cache, old.clip)
			}
		}
		l.mu.Unlock()
	}
	return v, nil
}

// prefetch is how many batches may be loaded ahead of the consumer.
const prefetch = 2

// Batches returns the batches of one epoch. Iteration stops at the first
// error (a *LoadError, or ctx's error) unless SkipBad is set; breaking out
// of the loop stops the workers.
func (l *Loader[T]) Batches(ctx context.Context, epoch int) iter.Seq2[Batch[T], error] {
	return func(yield func(Batch[T], error) bool) {
		order := l.Order(epoch)
		bs, nb := l.o.BatchSize, l.NumBatches()
		if nb == 0 {
			return
		}
		n := min(len(order), nb*bs)
		ctx, cancel := context.WithCancel(ctx)
		type slot struct {
			v   T
			err error
		}
		slots := make([]slot, n)
		done := make([]chan struct{}, nb)
		left := make([]atomic.Int32, nb)
		for b := range done {
			done[b] = make(chan struct{})
			left[b].Store(int32(min(bs, n-b*bs)))
		}
		jobs := make(chan int)
		tokens := make(chan struct{}, prefetch)
		var wg sync.WaitGroup
		for w := 0; w < l.o.Workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := range jobs {
					slots[p].v, slots[p].err = l.get(order[p])
					if left[p/bs].Add(-1) == 0 {
						close(done[p/bs])
					}
				}
			}()
		}
		go func() { // dispatcher: hands out positions, at most prefetch batches ahead
			defer close(jobs)
			for b := 0; b < nb; b++ {
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					return
				}
				for p := b * bs; p < min((b+1)*bs, n); p++ {
					select {
					case jobs <- p:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
		defer func() {
			cancel()
			wg.Wait()
		}()
		for b := 0; b < nb; b++ {
			select {
			case <-done[b]:
			case <-ctx.Done():
				yield(Batch[T]{}, ctx.Err())
				return
			}
			batch := Batch[T]{Index: b}
			for p := b * bs; p < min((b+1)*bs, n); p++ {
				s := &slots[p]
				if s.err != nil {
					le, _ := s.err.(*LoadError)
					if !l.o.SkipBad || le == nil {
						yield(Batch[T]{}, s.err)
						return
					}
					l.markBad(order[p], le)
					continue
				}
				batch.Clips = append(batch.Clips, order[p])
				batch.Items = append(batch.Items, s.v)
				var zero T
				s.v = zero // the batch owns it now
			}
			<-tokens
			if len(batch.Items) == 0 {
				continue
			}
			if !yield(batch, nil) {
				return
			}
		}
	}
}

func (l *Loader[T]) markBad(c *Clip, le *LoadError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.bad[c]; !ok {
		l.bad[c] = le
		l.skipped = append(l.skipped, le)
	}
}
