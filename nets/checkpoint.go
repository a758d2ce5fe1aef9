package nets

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Model files. Every task saves its model with SaveModel and reads it with
// LoadModel, so that all model files share one metadata scheme:
//
//	"kind"    what the file holds ("soundnet", "separation", …)
//	"config"  the model's configuration as JSON (its Config)
//
// plus any keys the task adds. Files written before this scheme kept the
// configuration under "<kind>.config" or "<kind>"; LoadModel still reads
// them.
const MetaKind = "kind"

// ModelMeta returns the metadata SaveModel writes for a model of the given
// kind and configuration, merged with extra (for checkpoints that a
// trainer writes, see TrainOptions.Meta).
func ModelMeta(kind string, cfg any, extra map[string]string) (map[string]string, error) {
	js, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("nets: encoding the %s config: %w", kind, err)
	}
	all := map[string]string{}
	for k, v := range extra {
		all[k] = v
	}
	all[MetaKind] = kind
	all[MetaConfig] = string(js)
	return all, nil
}

// SaveModel writes the parameters of m to path (SaveSafetensors, atomic)
// with the metadata of ModelMeta, so that the file describes the model it
// holds.
func SaveModel(path, kind string, m Module, cfg any, meta map[string]string) error {
	all, err := ModelMeta(kind, cfg, meta)
	if err != nil {
		return fmt.Errorf("nets: %s: %w", path, err)
	}
	return SaveSafetensors(path, m.Params(), all)
}

// LoadModel reads a model file written by SaveModel in one pass: it
// checks that the file holds a model of the given kind, decodes its
// configuration into cfg, calls build to make the model from cfg, and
// loads the model's parameters by name. It returns the model and the
// file's metadata. Configurations written with Go field names as JSON
// keys (older files) decode into tagged fields too.
func LoadModel[M Module](path, kind string, cfg any, build func() (M, error)) (M, map[string]string, error) {
	var zero M
	fh, f, err := stOpen(path)
	if err != nil {
		return zero, nil, err
	}
	defer fh.Close()
	js, ok := f.meta[MetaConfig]
	if k := f.meta[MetaKind]; k != kind || !ok {
		old, legacy := f.meta[kind+".config"]
		if !legacy {
			old, legacy = f.meta[kind]
		}
		switch {
		case k == "" && legacy:
			js = old
		case k != "":
			return zero, f.meta, fmt.Errorf("nets: %s holds a %s model, not a %s model", path, k, kind)
		default:
			return zero, f.meta, fmt.Errorf("nets: %s is not a %s model file (no %q metadata)", path, kind, MetaKind)
		}
	}
	if err := DecodeConfig([]byte(js), cfg); err != nil {
		return zero, f.meta, fmt.Errorf("nets: %s: config: %w", path, err)
	}
	m, err := build()
	if err != nil {
		return zero, f.meta, fmt.Errorf("nets: %s: %w", path, err)
	}
	if _, err := stLoad(path, fh, f, m.Params(), LoadOptions{}); err != nil {
		return zero, f.meta, err
	}
	return m, f.meta, nil
}

// DecodeConfig decodes the JSON object js into the struct cfg points to.
// Keys may be the fields' JSON names or their Go names, as configurations
// saved before the fields had JSON tags were written.
func DecodeConfig(js []byte, cfg any) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(js, &raw); err != nil {
		return err
	}
	t := reflect.TypeOf(cfg)
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("nets: DecodeConfig needs a pointer to a struct, got %T", cfg)
	}
	t = t.Elem()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "" || tag == "-" || tag == f.Name {
			continue
		}
		if v, ok := raw[f.Name]; ok {
			if _, both := raw[tag]; !both {
				raw[tag] = v
			}
			delete(raw, f.Name)
		}
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, cfg)
}

// LoadConfig decodes the configuration stored by SaveModel into cfg,
// reading only the file's header, and returns the metadata.
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
	if err := DecodeConfig([]byte(js), cfg); err != nil {
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
