#!/bin/sh
# make_speech.sh regenerates the bundled speech fixtures from text with
# espeak-ng (formant synthesis: voiced harmonics, formants and fricatives
# like real speech, with no recording licence to worry about).
#   apt-get install -y espeak-ng sox
#   sh testdata/make_speech.sh
# speech.wav:                    16 kHz mono 16-bit PCM, about 2.7 s.
# spectrogram/stereo44k.wav:     44.1 kHz stereo 16-bit PCM, about 1 s; the
#                                right channel is the left one at half
#                                amplitude, so the mono mix differs from both.
# sox -D turns off dither, so the files are the same on every run.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
espeak-ng -v en-us -s 190 -p 45 -w "$tmp/s.wav" "The quick brown fox jumps over the lazy dog."
sox -D "$tmp/s.wav" -r 16000 -c 1 -b 16 speech.wav
espeak-ng -v en-us -s 190 -p 60 -w "$tmp/h.wav" "Hello, audio world."
sox -D "$tmp/h.wav" -r 44100 -b 16 "$tmp/l.wav"
sox -D "$tmp/l.wav" "$tmp/r.wav" vol 0.5
mkdir -p spectrogram
sox -D -M "$tmp/l.wav" "$tmp/r.wav" -b 16 spectrogram/stereo44k.wav
