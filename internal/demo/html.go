package demo

import (
	"fmt"
	"html"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// reportHTML renders the steps as one self-contained page: the text of
// report.md with its tables as HTML tables, every picture the step wrote
// shown, every WAV as a player, other files linked. All links are relative,
// so the page works wherever the demo folder is copied.
//
// The page checks its own media once loaded and records the outcome on
// <body data-media="ok|broken: …">, which the browser test reads.
func (d *run) reportHTML(total time.Duration) string {
	var b strings.Builder
	mode := "full"
	if d.o.Quick {
		mode = "quick"
	}
	b.WriteString(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>avlearn demo</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0} td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}
td:first-child,th:first-child{text-align:left} th{background:#f3f3f3}
.media{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
figure{margin:0;max-width:100%} figure img{max-width:min(100%,640px);border:1px solid #ddd}
figcaption{font-size:13px;color:#555} audio{width:300px;display:block}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto} .status{color:#555}
.failed{color:#b00} .skipped{color:#888}
</style></head>
<body data-media="pending">
`)
	fmt.Fprintf(&b, "<h1>avlearn demo</h1>\n<p class=\"status\">Seed %d, %s run, %s/%s, GOMAXPROCS %d, %s in total. Every number below was measured in this run; the same seed and sizes give the same numbers (timings aside). A terminal copy of this page is <a href=\"report.md\">report.md</a>.</p>\n",
		d.o.Seed, mode, runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), roundDur(total))
	b.WriteString("<table><tr><th>step</th><th>status</th><th>time</th></tr>\n")
	for i, s := range d.steps {
		status, took := "done", roundDur(s.Took)
		switch {
		case s.Skipped != "":
			status, took = "skipped", "–"
		case s.Err != nil:
			status = "FAILED"
		}
		fmt.Fprintf(&b, "<tr><td><a href=\"#step%d\">%s</a></td><td>%s</td><td>%s</td></tr>\n", i+1, html.EscapeString(s.Title), status, took)
	}
	b.WriteString("</table>\n")
	for i, s := range d.steps {
		fmt.Fprintf(&b, "<h2 id=\"step%d\">%s</h2>\n", i+1, html.EscapeString(s.Title))
		switch {
		case s.Skipped != "":
			fmt.Fprintf(&b, "<p class=\"skipped\">Skipped: %s</p>\n", html.EscapeString(s.Skipped))
			continue
		case s.Err != nil:
			fmt.Fprintf(&b, "<p class=\"failed\">FAILED after %s: %s</p>\n", roundDur(s.Took), html.EscapeString(s.Err.Error()))
		default:
			fmt.Fprintf(&b, "<p class=\"status\">%s</p>\n", roundDur(s.Took))
		}
		if len(s.Lines) > 0 {
			b.WriteString("<ul>\n")
			for _, l := range s.Lines {
				fmt.Fprintf(&b, "<li>%s</li>\n", linesHTML(l))
			}
			b.WriteString("</ul>\n")
		}
		media(&b, s.Files)
		if len(s.Cmds) > 0 {
			b.WriteString("<p>To reproduce or go further:</p>\n<pre>")
			for _, c := range s.Cmds {
				b.WriteString(html.EscapeString(c) + "\n")
			}
			b.WriteString("</pre>\n")
		}
	}
	b.WriteString(mediaCheck)
	b.WriteString("</body></html>\n")
	return b.String()
}

// media shows a step's files: pictures, then players, then links.
func media(b *strings.Builder, files []string) {
	var pics, sounds, others []string
	for _, f := range files {
		switch strings.ToLower(filepath.Ext(f)) {
		case ".png", ".gif", ".jpg", ".jpeg":
			pics = append(pics, f)
		case ".wav":
			sounds = append(sounds, f)
		default:
			if !strings.HasSuffix(f, "/") {
				others = append(others, f)
			}
		}
	}
	if len(pics) > 0 {
		b.WriteString("<div class=\"media\">\n")
		for _, f := range pics {
			u := html.EscapeString(filepath.ToSlash(f))
			fmt.Fprintf(b, "<figure><a href=\"%s\"><img src=\"%s\" alt=\"%s\"></a><figcaption>%s</figcaption></figure>\n", u, u, u, u)
		}
		b.WriteString("</div>\n")
	}
	if len(sounds) > 0 {
		b.WriteString("<div class=\"media\">\n")
		for _, f := range sounds {
			u := html.EscapeString(filepath.ToSlash(f))
			fmt.Fprintf(b, "<figure><audio controls preload=\"auto\" src=\"%s\"></audio><figcaption><a href=\"%s\">%s</a></figcaption></figure>\n", u, u, u)
		}
		b.WriteString("</div>\n")
	}
	if len(others) > 0 {
		b.WriteString("<p>Files: ")
		for i, f := range others {
			if i > 0 {
				b.WriteString(", ")
			}
			u := html.EscapeString(filepath.ToSlash(f))
			fmt.Fprintf(b, "<a href=\"%s\">%s</a>", u, u)
		}
		b.WriteString("</p>\n")
	}
}

// linesHTML renders one report line: paragraphs, and the Markdown tables
// that steps embed (indented "| … |" rows) as HTML tables.
func linesHTML(l string) string {
	var b strings.Builder
	for _, para := range strings.Split(l, "\n\n") {
		rows := strings.Split(strings.TrimSpace(para), "\n")
		if isTable(rows) {
			b.WriteString("<table>\n")
			for i, r := range rows {
				if i == 1 {
					continue // the |---| separator
				}
				tag := "td"
				if i == 0 {
					tag = "th"
				}
				b.WriteString("<tr>")
				for _, c := range tableCells(r) {
					fmt.Fprintf(&b, "<%s>%s</%s>", tag, inlineHTML(c), tag)
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</table>\n")
			continue
		}
		b.WriteString(inlineHTML(strings.TrimSpace(para)))
	}
	return b.String()
}

func isTable(rows []string) bool {
	if len(rows) < 2 {
		return false
	}
	for _, r := range rows {
		r = strings.TrimSpace(r)
		if !strings.HasPrefix(r, "|") || !strings.HasSuffix(r, "|") {
			return false
		}
	}
	return strings.Trim(strings.TrimSpace(rows[1]), "|-: ") == ""
}

func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	parts := strings.Split(row[1:len(row)-1], "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// inlineHTML escapes s and renders Markdown's **bold** and `code`.
func inlineHTML(s string) string {
	s = html.EscapeString(s)
	for _, m := range []struct{ mark, open, close string }{{"**", "<b>", "</b>"}, {"`", "<code>", "</code>"}} {
		parts := strings.Split(s, m.mark)
		if len(parts)%2 == 0 {
			continue // unbalanced: leave as typed
		}
		var b strings.Builder
		for i, p := range parts {
			if i%2 == 1 {
				b.WriteString(m.open + p + m.close)
			} else {
				b.WriteString(p)
			}
		}
		s = b.String()
	}
	return s
}

// mediaCheck marks <body data-media> once every picture has decoded and
// every player has read its file's header, or names what failed.
const mediaCheck = `<script>
(function(){
  var els=[].slice.call(document.querySelectorAll('img,audio')), broken=[], left=els.length;
  function done(el,ok){ if(el._checked) return; el._checked=true; if(!ok) broken.push(el.getAttribute('src')); if(--left===0) finish(); }
  function finish(){ document.body.setAttribute('data-media', broken.length ? 'broken: '+broken.join(' ') : 'ok'); }
  if(left===0){ finish(); return; }
  els.forEach(function(el){
    if(el.tagName==='IMG'){
      if(el.complete){ done(el, el.naturalWidth>0); return; }
      el.addEventListener('load',function(){ done(el, el.naturalWidth>0); });
      el.addEventListener('error',function(){ done(el,false); });
    } else {
      if(el.readyState>=1){ done(el,true); return; }
      el.addEventListener('loadedmetadata',function(){ done(el,true); });
      el.addEventListener('error',function(){ done(el,false); });
    }
  });
})();
</script>
`
