"""Build news pages laid out like Chinese news sites around the texts of tests/real/texts/.

    python scripts/make_web_pages.py OUT_DIR [--count 24] [--short]

Each page wraps one article in a site's furniture: a navigation bar, breadcrumbs, a share bar,
a sidebar of related-article links (「比亚迪入驻西安高新区」 and other headlines that would read as
facts), a "more news" list, a footer with 版权所有 and ICP备 lines, and scripts and styles. Six
layouts alternate: a portal, a government site in tables, HTML5 semantics, a city paper's
single column, a CMS breaking paragraphs with <br>, and 相关阅读 inside the article's block.
OUT_DIR/manifest.json lists, per page, the article paragraphs and the boilerplate strings a
reader would not count as the article, for benchmarks/bench_corpus.py.

The texts are third-party and git-ignored, so this script is committed, not the pages.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "tests" / "real" / "texts"

NAV = ["首页", "要闻", "园区动态", "招商引资", "科技创新", "政务公开", "产业发展", "图片新闻",
       "视频", "专题"]
RELATED = ["比亚迪入驻西安高新区", "华为云计算数据中心落户贵安新区",
           "宁德时代在苏州工业园区投资建设电池基地", "中芯国际签约落地天津滨海高新区",
           "京东方第6代柔性面板项目开工", "腾讯华南总部落户深圳湾科技园",
           "隆基绿能在合肥高新区建设光伏组件项目", "小米智能工厂二期在北京经开区投产",
           "阿里巴巴西南总部项目签约成都高新区", "长城汽车入驻重庆两江新区"]
MORE = ["高新区召开2024年度招商工作会议", "园区企业参加第二十届中国国际中小企业博览会",
        "我区举办科技成果转化对接活动", "市领导调研重点项目建设情况", "人才公寓交付使用",
        "开发区党工委理论学习中心组召开专题学习会"]
SHARE = ["分享到：", "微信", "微博", "QQ空间", "打印本页", "关闭窗口", "【字体：大 中 小】"]
SITES = ["高新区管委会", "开发区融媒体中心", "经济日报网", "科技新闻网"]
SCRIPT = ("<script>var _hmt = _hmt || []; (function() { var hm = document.createElement('script');"
          " hm.src = 'analytics.js'; document.body.appendChild(hm); })();"
          " window.shareConfig = {title: '比亚迪入驻西安高新区', channel: '园区动态'};</script>")
STYLE = ("<style>body{font-family:'Microsoft YaHei';margin:0} .nav li{float:left;padding:0 12px}"
         " .side{width:300px;float:right} .footer{color:#999;text-align:center}</style>")


def _footer(site: str, rng: random.Random) -> list[str]:
    n = rng.randint(10000000, 99999999)
    return [f"版权所有：{site}　　主办单位：{site}办公室",
            f"京ICP备{n}号-1　京公网安备11010802{n}号",
            "网站标识码：1101000035　联系电话：010-12345678",
            "Copyright © 2024 All Rights Reserved"]


def _links(items: list[str]) -> str:
    return "".join(f'<li><a href="/news/{i}.html">{html.escape(t)}</a><span>2024-05-{i + 10}</span>'
                   "</li>" for i, t in enumerate(items))


def build_page(title: str, paragraphs: list[str], layout: int, rng: random.Random
               ) -> tuple[str, list[str]]:
    """One page around the article; (HTML, the boilerplate strings it holds)."""
    site = SITES[layout % len(SITES)]
    related = rng.sample(RELATED, 6)
    if "比亚迪入驻西安高新区" not in related:
        related[0] = "比亚迪入驻西安高新区"
    more = rng.sample(MORE, 4)
    footer = _footer(site, rng)
    crumbs = ["首页", "园区动态", "正文"]
    date = f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)} 0{rng.randint(8, 9)}:30"
    meta = f"来源：{site}　作者：记者 王明　发布时间：{date}　浏览次数：{rng.randint(100, 9999)}"
    if layout % 6 == 4:  # a government CMS: one block, paragraphs broken by <br> and indented
        body = "<div>" + "<br>".join(f"&nbsp;&nbsp;&nbsp;&nbsp;{html.escape(p)}<br>"
                                     for p in paragraphs) + "</div>"
    else:
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if layout % 6 == 5:  # 相关阅读 inside the article's own block, after the text
        body += ('<div class="xgyd"><strong>相关阅读：</strong><ul>' + _links(related[:3])
                 + "</ul></div>")
        boiler_extra = ["相关阅读："]
    else:
        boiler_extra = []
    boiler = NAV + [" > ".join(crumbs), meta] + SHARE + related + more + footer + [
        "相关新闻", "热点推荐", "扫一扫在手机上查看当前页面", "责任编辑：张华"] + boiler_extra
    nav = "".join(f'<li><a href="/{i}/">{t}</a></li>' for i, t in enumerate(NAV))
    share = "".join(f"<a href='#'>{t}</a>" for t in SHARE)
    parts = {
        "head": f"<head><meta charset=\"utf-8\"><title>{html.escape(title)}_{site}</title>"
                f"{STYLE}{SCRIPT}</head>",
        "nav": f'<div class="header"><div class="logo">{site}</div>'
               f'<ul class="nav">{nav}</ul></div>',
        "crumbs": '<div class="crumbs">当前位置：' + " &gt; ".join(
            f'<a href="#">{c}</a>' for c in crumbs) + "</div>",
        "article": f'<div class="article"><h1>{html.escape(title)}</h1>'
                   f'<div class="info">{meta}</div><div class="share">{share}</div>'
                   f'<div class="content" id="zoom">{body}</div>'
                   '<div class="editor">责任编辑：张华</div></div>',
        "side": '<div class="side"><h3>相关新闻</h3><ul>' + _links(related) + "</ul>"
                "<h3>热点推荐</h3><ul>" + _links(more) + "</ul>"
                "<div class='qr'>扫一扫在手机上查看当前页面</div></div>",
        "footer": '<div class="footer">' + "".join(f"<p>{f}</p>" for f in footer) + "</div>",
    }
    if layout % 4 == 0 or layout % 6 == 4:  # portal: article then sidebar, in divs
        inner = parts["nav"] + parts["crumbs"] + parts["article"] + parts["side"] + parts["footer"]
    elif layout % 4 == 1:  # government site: a table layout, sidebar on the left
        inner = (parts["nav"] + parts["crumbs"] + "<table><tr><td class='left'>" + parts["side"]
                 + "</td><td class='main'>" + parts["article"] + "</td></tr></table>"
                 + parts["footer"])
    elif layout % 4 == 2:  # HTML5 semantics
        inner = ("<header>" + parts["nav"] + "</header><nav>" + parts["crumbs"] + "</nav><main>"
                 "<article>" + parts["article"] + "</article><aside>" + parts["side"]
                 + "</aside></main><footer>" + parts["footer"] + "</footer>")
    else:  # city paper: the related list under the article, inside the same column
        inner = (parts["nav"] + parts["crumbs"] + '<div class="col">' + parts["article"]
                 + parts["side"] + "</div>" + parts["footer"])
    page = f"<!DOCTYPE html><html lang=\"zh-CN\">{parts['head']}<body>{inner}{SCRIPT}</body></html>"
    return page, boiler


def main() -> None:
    """Write the pages and their manifest."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, default=24)
    ap.add_argument("--short", action="store_true",
                    help="Keep only each text's first paragraph (a brief item: less article "
                         "than furniture).")
    args = ap.parse_args()
    texts = sorted(TEXTS.glob("*.txt"))
    if not texts:
        raise SystemExit(f"{TEXTS}: no texts (they are git-ignored: see tests/real/)")
    rng = random.Random(15)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for i, path in enumerate(rng.sample(texts, min(args.count, len(texts)))):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
        title = re.split(r"[,，。;；]", lines[0])[0][:24]  # a headline; counted as neither
        paragraphs = lines[:1] if args.short else lines
        page, boiler = build_page(title, paragraphs, i, rng)
        name = f"page{i:02d}.html"
        (args.out / name).write_text(page, encoding="utf-8")
        manifest.append({"page": name, "source": path.name, "title": title,
                         "article": paragraphs, "boilerplate": boiler})
    (args.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    print(f"wrote {len(manifest)} pages and manifest.json to {args.out}")


if __name__ == "__main__":
    main()
