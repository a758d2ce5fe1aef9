package nets

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// SaveModel writes the parameters of m to path (SaveSafetensors) with its
// configuration cfg marshalled to JSON under meta[MetaConfig], plus meta,
// so that the file describes the model it holds. Task packages implement
// (*Model).Save with it.
func SaveModel(path string, m Module, cfg any, meta map[string]string) error {
	js, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("nets: %s: encoding config: %w", path, err)
	}
	all := map[string]string{}
	for k, v := range meta {
		all[k] = v
	}
	all[MetaConfig] = string(js)
	return SaveSafetensors(path, m.Params(), all)
}

// LoadConfig decodes the configuration stored by SaveModel into cfg,
// reading only the file's header, and returns the metadata. A task's Load
// uses it to build the model before loading the weights into it:
//
//	var cfg Config
//	if _, err := nets.LoadConfig(path, &cfg); err != nil { … }
//	m, err := New(cfg)
//	_, err = nets.LoadSafetensors(path, m.Params())
func LoadConfig(path string, cfg any) (map[string]string, error) {
	fh, f, err := stOpen(path)
	if err != nil {
		return nil, err
	}
	fh.Close()
	js, ok := f.meta[MetaConfig]
	if !ok {
		return f.meta, fmt.Errorf("nets: %s: no %q entry in the metadata (not a model file?)", path, MetaConfig)
	}
	if err := json.Unmarshal([]byte(js), cfg); err != nil {
		return f.meta, fmt.Errorf("nets: %s: config: %w", path, err)
	}
	return f.meta, nil
}

// TrainingState is where a training run stands after a number of epochs:
// enough, together with the weights and the optimiser's state, to resume
// it exactly (see SaveTrainingState and TrainOptions.Resume).
type TrainingState struct {
	Epoch     int     // epochs completed
	BestEpoch int     // 1-based epoch of the best monitored loss; 0 if none
	BestLoss  float64 // that loss (+Inf if none)
	Bad       int     // epochs since the best, for Patience
}

// Metadata keys of a training-state file.
const (
	metaStateEpoch     = "train.epoch"
	metaStateBestEpoch = "train.best_epoch"
	metaStateBestLoss  = "train.best_loss"
	metaStateBad       = "train.bad_epochs"
)

// SaveTrainingState writes the model ps, the state of opt (when it is
// Stateful: momentum, moments, step count, under "optim.…" names), the
// training state s and meta into one safetensors file, atomically.
func SaveTrainingState(path string, ps []*Param, opt Optimizer, s TrainingState, meta map[string]string) error {
	all := append([]*Param(nil), ps...)
	if so, ok := opt.(Stateful); ok {
		all = append(all, so.State(ps)...)
	}
	m := map[string]string{}
	for k, v := range meta {
		m[k] = v
	}
	m[metaStateEpoch] = strconv.Itoa(s.Epoch)
	m[metaStateBestEpoch] = strconv.Itoa(s.BestEpoch)
	m[metaStateBestLoss] = strconv.FormatFloat(s.BestLoss, 'g', -1, 64)
	m[metaStateBad] = strconv.Itoa(s.Bad)
	return SaveSafetensors(path, all, m)
}

// LoadTrainingState reads a file written by SaveTrainingState into ps and
// opt (which must be of the same kind and settings as the one saved) and
// returns the training state and the metadata. Pass the state to Fit as
// TrainOptions.Resume to continue the run.
func LoadTrainingState(path string, ps []*Param, opt Optimizer) (TrainingState, map[string]string, error) {
	all := append([]*Param(nil), ps...)
	if so, ok := opt.(Stateful); ok {
		all = append(all, so.State(ps)...)
	}
	meta, err := LoadSafetensors(path, all)
	if err != nil {
		return TrainingState{}, nil, err
	}
	s := TrainingState{BestLoss: math.Inf(1)}
	ints := []struct {
		key string
		dst *int
	}{{metaStateEpoch, &s.Epoch}, {metaStateBestEpoch, &s.BestEpoch}, {metaStateBad, &s.Bad}}
	for _, f := range ints {
		v, err := strconv.Atoi(meta[f.key])
		if err != nil || v < 0 {
			return TrainingState{}, nil, fmt.Errorf("nets: %s: metadata %q = %q is not a training-state count", path, f.key, meta[f.key])
		}
		*f.dst = v
	}
	if s.BestLoss, err = strconv.ParseFloat(meta[metaStateBestLoss], 64); err != nil {
		return TrainingState{}, nil, fmt.Errorf("nets: %s: metadata %q = %q is not a number", path, metaStateBestLoss, meta[metaStateBestLoss])
	}
	return s, meta, nil
}
