//go:build research

package synth

import "testing"

// TestScenesMFCCBaseline1000 is the same check on 1,000 clips (750 to
// train, 250 to test), the figure quoted in docs/runs/synth.md:
//
//	go test -tags research ./synth -run ScenesMFCCBaseline1000 -v
func TestScenesMFCCBaseline1000(t *testing.T) { scenesMFCCBaseline(t, 1000) }
