#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The compare report as a browser shows it: headless Chromium (Debian's
`chromium`) renders compare-out/report.html, and this test fails on a
broken render or a dead link.

usage: report_render_test.py KMAPLAB COMPARE_TOOL SCREENSHOT.png HELLO.elf LONGHELD.elf

Runs `kmaplab compare` (2 guests x linux, local, nohighmem, flushall:32: every
ending but failed, a flushall:N name that once became %3A), then loads a copy
of report.html with a script appended that measures the rendered page:
 - four charts, each an inline SVG laid out at least 300x150 px, with bars
   (paths) and labels (text);
 - no two labels of a chart overlap on screen;
 - no <img> failed to load;
 - the table fits its box at a 1400 px window (the result column is on screen);
 - every link, as the browser resolves it (a.href, percent-decoding
   included), names an existing file.
Then takes a screenshot (SCREENSHOT.png, kept for a human to look at) and
checks it is a PNG of the window's size that is not blank.
Without chromium the test is skipped (status 77), except under CI=true, where
it fails.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import urllib.parse
import zlib

KMAPLAB, TOOL, SHOT, HELLO, LONGHELD = sys.argv[1:6]
W, H = 1400, 4000
results = []


def check(ok, what, detail=''):
    results.append(bool(ok))
    print(('ok   ' if ok else 'FAIL ') + what + ('' if ok or not detail else ': ' + str(detail)), flush=True)


PROBE = r"""
<script>
(function () {
  var r = {charts: [], overlaps: [], imgs: [], links: []};
  document.querySelectorAll('div.chart').forEach(function (c, i) {
    var svg = c.querySelector('svg');
    if (!svg) { r.charts.push({i: i, svg: false}); return; }
    var b = svg.getBoundingClientRect();
    var texts = Array.prototype.slice.call(svg.querySelectorAll('text')).filter(function (t) {
      return t.textContent.trim() !== '';
    });
    // Each label as the quadrilateral it covers on screen (its box through
    // its rotation), shrunk by 1 px; two overlap unless an edge of one of
    // them separates them (separating axis test).
    var quads = texts.map(function (t) {
      var b = t.getBBox(), m = t.getScreenCTM(), pts = [];
      [[b.x + 1, b.y + 1], [b.x + b.width - 1, b.y + 1], [b.x + b.width - 1, b.y + b.height - 1],
       [b.x + 1, b.y + b.height - 1]].forEach(function (xy) {
        var pt = svg.createSVGPoint(); pt.x = xy[0]; pt.y = xy[1];
        pt = pt.matrixTransform(m); pts.push([pt.x, pt.y]);
      });
      return [pts, t.textContent.trim()];
    });
    function separated(p, q) {
      for (var s = 0; s < 2; s++) {
        var poly = s ? q : p;
        for (var e = 0; e < 4; e++) {
          var a = poly[e], b = poly[(e + 1) % 4], nx = a[1] - b[1], ny = b[0] - a[0];
          var pm = [Infinity, -Infinity], qm = [Infinity, -Infinity];
          p.forEach(function (v) { var d = v[0] * nx + v[1] * ny; pm = [Math.min(pm[0], d), Math.max(pm[1], d)]; });
          q.forEach(function (v) { var d = v[0] * nx + v[1] * ny; qm = [Math.min(qm[0], d), Math.max(qm[1], d)]; });
          if (pm[1] <= qm[0] || qm[1] <= pm[0]) return true;
        }
      }
      return false;
    }
    for (var a = 0; a < quads.length; a++)
      for (var z = a + 1; z < quads.length; z++)
        if (!separated(quads[a][0], quads[z][0])) r.overlaps.push([i, quads[a][1], quads[z][1]]);
    r.charts.push({i: i, svg: true, w: b.width, h: b.height, paths: svg.querySelectorAll('path').length,
                   texts: texts.length});
  });
  document.querySelectorAll('img').forEach(function (im) {
    r.imgs.push([im.src, im.complete && im.naturalWidth > 0]);
  });
  document.querySelectorAll('a[href]').forEach(function (a) { r.links.push(a.href); });
  var tw = document.querySelector('.tablewrap');
  r.table = tw ? [tw.scrollWidth, tw.clientWidth] : null;
  var pre = document.createElement('pre');
  pre.id = 'render-probe';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();
</script>
"""


def chromium_cmd(binary, user_dir):
    return [binary, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--hide-scrollbars', '--user-data-dir=' + user_dir, '--window-size=%d,%d' % (W, H)]


def png_info(path):
    """(width, height, fraction of sampled pixels that are not white) of an
    8-bit RGB(A) PNG, decoding every 8th row (enough to tell a blank page)."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        return None
    pos, idat, w, h, ctype = 8, [], 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        elif kind == b'IDAT':
            idat.append(body)
        pos += 12 + n
    bpp = {2: 3, 6: 4}.get(ctype)
    if not bpp:
        return w, h, None
    raw = zlib.decompress(b''.join(idat))
    stride = w * bpp + 1
    prev = bytearray(w * bpp)
    inked = sampled = 0
    for y in range(h):
        line = raw[y * stride:(y + 1) * stride]
        ft, cur = line[0], bytearray(line[1:])
        if ft == 1:
            for i in range(bpp, len(cur)):
                cur[i] = (cur[i] + cur[i - bpp]) & 255
        elif ft == 2:
            for i in range(len(cur)):
                cur[i] = (cur[i] + prev[i]) & 255
        elif ft == 3:
            for i in range(len(cur)):
                cur[i] = (cur[i] + ((cur[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif ft == 4:
            for i in range(len(cur)):
                a = cur[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = cur
        if y % 8 == 0:
            for x in range(0, w, 4):
                px = cur[x * bpp:x * bpp + 3]
                sampled += 1
                inked += min(px) < 240
    return w, h, inked / max(sampled, 1)


def main():
    binary = next((shutil.which(b) for b in ('chromium', 'chromium-browser') if shutil.which(b)), None)
    if binary is None:
        if os.environ.get('CI') == 'true':
            print('FAIL chromium is not installed (tools/setup installs Debian\'s chromium); CI=true: failing')
            return 1
        print('SKIP chromium is not installed (tools/setup installs it)')
        return 77
    with tempfile.TemporaryDirectory(prefix='kmaplab-render-') as tmp:
        out = os.path.join(tmp, 'out')
        p = subprocess.run([sys.executable, TOOL, '--kmaplab', KMAPLAB, '--guest-dir', os.path.dirname(HELLO),
                            '--out', out, '--policies', 'linux,local,nohighmem,flushall:32', HELLO, LONGHELD],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        check(p.returncode == 0, 'kmaplab compare exits 0', p.stderr[-1500:])
        report = os.path.join(out, 'report.html')
        try:
            with open(report) as f:
                page = f.read()
        except OSError as e:
            check(False, 'report.html written', e)
            return 1
        probe = os.path.join(out, '.render-probe.html')  # beside it: the same relative links
        with open(probe, 'w') as f:
            f.write(page.replace('</body>', PROBE + '</body>'))
        user = os.path.join(tmp, 'chromium-profile')
        os.mkdir(user)
        q = subprocess.run(chromium_cmd(binary, user) + ['--dump-dom', 'file://' + probe],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        dom = q.stdout
        start = dom.find('<pre id="render-probe">')
        if start < 0:
            check(False, 'chromium rendered the page and ran the probe', q.stderr[-1500:])
            return 1
        import html
        r = json.loads(html.unescape(dom[start + len('<pre id="render-probe">'):dom.index('</pre>', start)]))
        charts = r['charts']
        check(len(charts) == 4, 'four charts in the rendered page', len(charts))
        for c in charts:
            check(c['svg'] and c['w'] >= 300 and c['h'] >= 150 and c['paths'] >= 8 and c['texts'] >= 10,
                  'chart %d: an inline SVG laid out %dx%d px with %d paths and %d labels'
                  % (c['i'], c.get('w', 0), c.get('h', 0), c.get('paths', 0), c.get('texts', 0)), c)
        check(not r['overlaps'], 'no two chart labels overlap on screen', r['overlaps'][:5])
        check(all(ok for _, ok in r['imgs']), 'every <img> loaded', r['imgs'])
        check(r['table'] and r['table'][0] <= r['table'][1] + 1,
              'the table fits its box at a %d px window (result column on screen)' % W, r['table'])
        dead = []
        for href in r['links']:
            u = urllib.parse.urlsplit(href)
            if u.scheme != 'file':
                dead.append(href)
                continue
            if not os.path.isfile(urllib.parse.unquote(u.path)):
                dead.append(href)
        check(len(r['links']) >= 10 and not dead,
              'every link (%d) resolves, as the browser decodes it, to an existing file' % len(r['links']), dead)

        q = subprocess.run(chromium_cmd(binary, user) + ['--screenshot=' + os.path.abspath(SHOT),
                                                         'file://' + report],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        info = png_info(SHOT) if os.path.exists(SHOT) else None
        check(info is not None and info[:2] == (W, H), 'screenshot %s is a %dx%d PNG' % (SHOT, W, H), info)
        if info and info[2] is not None:
            check(info[2] > 0.03, 'the screenshot is not blank (%.1f%% of sampled pixels inked)' % (100 * info[2]))
    failed = results.count(False)
    print('%d passed, %d failed' % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
