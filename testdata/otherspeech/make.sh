#!/bin/sh
# make.sh makes talking-face corpora of espeak-ng speech (another speech
# synthesiser than synth's, with its own voices) for evaluating models
# trained on synth voices. Every speaker is one espeak-ng voice+variant
# with its own pitch and speed; every clip says a random sentence; every
# clip is in the test split. Faces come from synth (see
# synth.ExternalSpeakers), mouths follow the audio.
#   apt-get install -y espeak-ng
#   sh testdata/otherspeech/make.sh            # the small committed set: ./small
#   sh testdata/otherspeech/make.sh DIR PER SECONDS SEED SIZE
#                                              # e.g. DIR 20 3 1 64: 12 voices × 20 clips of 3 s
# espeak-ng 1.51 made the committed set; other versions may differ slightly.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
if [ $# -eq 0 ]; then
	rm -rf "$here/small"
	exec go run ./internal/experiments/otherspeech -out "$here/small" -voices 4 -per 1 -seconds 1 -seed 1 -size 32
fi
exec go run ./internal/experiments/otherspeech -out "$1" -per "${2:-20}" -seconds "${3:-2}" -seed "${4:-1}" -size "${5:-64}"
