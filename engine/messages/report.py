"""Codes of ``kaohe report`` (engine/report/html/): the HTML report and its PDFs."""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-REPORT-NO-PERIOD": (
        "结果中没有周期 {period}（有：{known}）。请用 --period 指定其中一个",
        "the results have no period {period} (they have: {known}). Name one of them with --period",
    ),
    "E-REPORT-PREVIOUS": (
        "往年结果文件 {file} {problem}。--previous 需要 kaohe evaluate --format json 写出的结果文档",
        "the earlier results file {file} is {problem}. --previous takes a results document written by "
        "kaohe evaluate --format json",
    ),
    "E-REPORT-CHROMIUM": (
        "未找到 Chromium 浏览器（查找了 {looked}），生成 PDF 需要它。请安装：apt-get install chromium"
        "（Debian、Ubuntu），或把环境变量 KAOHE_CHROMIUM 设为浏览器程序的路径；不需要 PDF 时用 --format html",
        "Chromium was not found (looked for {looked}); PDF output needs it. Install it with "
        "apt-get install chromium (Debian, Ubuntu), or set KAOHE_CHROMIUM to the browser's path; "
        "without PDF, use --format html",
    ),
    "E-REPORT-DRIVER": (
        "生成 PDF 需要 Python 包 playwright（只用它驱动本机的 Chromium，不下载浏览器），但没有安装。"
        "请运行：pip install 'kaohe[pdf]'（或 pip install playwright）",
        "PDF output needs the Python package playwright (it only drives the local Chromium and downloads "
        "no browser), which is not installed. Run: pip install 'kaohe[pdf]' (or pip install playwright)",
    ),
    "E-REPORT-PDF": (
        "用 Chromium（{browser}）生成 PDF 失败：{problem}",
        "printing the PDF with Chromium ({browser}) failed: {problem}",
    ),
    "E-REPORT-OUT-DIR": (
        "--split 把每个对象写成一个 PDF，--out 应是文件夹，但 {file} 是文件。请换一个文件夹（不存在时会新建）",
        "--split writes one PDF per subject, so --out must be a folder, but {file} is a file. "
        "Name a folder (it is created when missing)",
    ),
}
