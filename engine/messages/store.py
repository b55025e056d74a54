"""Messages of the results store (`kaohe evaluate --store`, `kaohe store …`)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-STORE-OPEN": (
        "无法打开结果库 {url}：{problem}。请检查 --store 或 kaohe.toml 中 store 的写法"
        "（SQLite 文件写路径，如 results.db；服务器写 postgresql://用户@主机/库名），"
        "以及文件夹是否存在、数据库是否可以连接",
        "cannot open the results store {url}: {problem}. Check the --store value or the store "
        "setting in kaohe.toml (a SQLite file is a path such as results.db; a server is "
        "postgresql://user@host/dbname), that the folder exists and that the database accepts connections",
    ),
    "E-STORE-DRIVER": (
        "打开结果库 {url} 需要数据库驱动 {module}，本机没有安装：请安装它（pip install {module}）后重新运行",
        "the results store {url} needs the database driver {module}, which is not installed: "
        "install it (pip install {module}) and run again",
    ),
    "E-STORE-MISSING": (
        "结果库文件 {file} 不存在：请检查路径是否写错；结果库由 kaohe evaluate --store 第一次记录时新建",
        "the results store file {file} does not exist: check the path for a typo; a store is created "
        "by the first kaohe evaluate --store that records into it",
    ),
    "E-STORE-NEWER": (
        "结果库 {url} 由更新版本的 kaohe 写入（结构版本 {revision}，本版本只认识到 {known}）："
        "请升级 kaohe（pip install -U kaohe）后再使用；为免误读，未读取也未写入任何内容",
        "the results store {url} was written by a newer kaohe (schema revision {revision}; this "
        "kaohe knows up to {known}): upgrade kaohe (pip install -U kaohe) to use it; nothing was "
        "read or written, so nothing is misread",
    ),
    "E-STORE-UNKNOWN": (
        "{url} 中已有别的数据表（{tables}），不是 kaohe 的结果库，未作改动：请为结果库指定一个新的文件或空数据库",
        "{url} already holds other tables ({tables}) and is not a kaohe results store; it was left "
        "unchanged: give the results store a new file or an empty database",
    ),
    "E-STORE-CONFIG": (
        "kaohe.toml 中的设置无法使用：{problem}。store 写成一行文字，如 store = \"results.db\"",
        "the setting in kaohe.toml cannot be used: {problem}. Write store as one string, "
        "e.g. store = \"results.db\"",
    ),
    "E-STORE-NONE": (
        "没有指定结果库：请用 --store 写明（如 --store results.db），或在项目的 kaohe.toml 中写 store = \"results.db\"",
        "no results store given: name one with --store (e.g. --store results.db) or write "
        "store = \"results.db\" in the project's kaohe.toml",
    ),
    "E-STORE-RUN-UNKNOWN": (
        "结果库 {url} 中没有编号为 {run} 的运行记录：kaohe store runs 列出已有的记录",
        "the results store {url} has no run {run}: kaohe store runs lists the recorded runs",
    ),
    "E-STORE-WRITE": (
        "记录运行时出错，结果库 {url} 未写入任何内容：{problem}。请检查磁盘空间、写权限，"
        "或是否有别的程序正锁着它，然后重新运行",
        "recording the run failed and nothing was written to the results store {url}: {problem}. "
        "Check disk space, write permission, or whether another program holds a lock on it, then run again",
    ),
    "E-STORE-READ": (
        "读取结果库 {url} 时出错：{problem}",
        "reading the results store {url} failed: {problem}",
    ),
    "E-STORE-EPOCH": (
        "环境变量 SOURCE_DATE_EPOCH 应为整数秒（自 1970-01-01 UTC 起），得到 “{value}”",
        "the environment variable SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got '{value}'",
    ),
    # --- history and results read from the store (history: {source: store}, results: {source: results}) ---
    "E-STORE-HISTORY-NONE": (
        "方案要从结果库读取（{file}），但没有指定结果库：请用 --store 写明（如 --store results.db），"
        "或在项目的 kaohe.toml 中写 store = \"results.db\"；结果库的地址不写在方案里",
        "the ruleset reads from the results store ({file}) but no store is named: pass --store "
        "(e.g. --store results.db) or write store = \"results.db\" in the project's kaohe.toml; the "
        "store's address is never written in a ruleset",
    ),
    "E-STORE-HISTORY-FIELD": (
        "往年结果字段 {fields} 在结果库中没有：结果库保存的是 {stored}。请在 history_fields 中只声明这些，"
        "或用 fields 写明对应关系（如 fields: {{level: grade}}）",
        "the history field(s) {fields} are not in the results store, which holds {stored}: declare only "
        "these in history_fields, or map them with fields (e.g. fields: {{level: grade}})",
    ),
    "E-STORE-HISTORY-MERGED": (
        "更名表把 {old} 合并为 {new}，但没有写 merged：同一年有两个结果时取哪一个是考核办的决定，"
        "请写 merged: better（取总分高的）或 merged: worse（取总分低的）",
        "the renames table merges {old} into {new} but merged is not given: which result a merged "
        "subject keeps for a year with two is the office's choice; write merged: better (the higher "
        "total) or merged: worse (the lower total)",
    ),
    "E-STORE-HISTORY-MAP": (
        "更名与合并表有误：{problem}。表的列为 old_id,new_id，每行一个改名或合并",
        "the renames table is wrong: {problem}. Its columns are old_id,new_id, one rename or merge per row",
    ),
    "W-STORE-HISTORY-GAP": (
        "结果库 {url} 中没有 {file} {years} 年已确认的年度结果：这些年份按“没有结果”处理"
        "（按 missing 的规定，默认打断连续）；如已考核，请先把该年的运行记入结果库并确认（kaohe store signoff）",
        "the results store {url} has no signed-off year results of {file} for {years}: those "
        "years count as years without a result (as missing says; by default they break a streak); if "
        "they were assessed, record that year's run in the store and sign it off (kaohe store signoff)",
    ),
    "E-RESULTS-CYCLE": (
        "方案之间循环读取结果：{file}。一个方案的结果不能（经由别的方案）依赖它自己，请去掉其中一处 source: results",
        "rulesets read each other's results in a cycle: {file}. A ruleset's results cannot depend on "
        "themselves (through other rulesets); remove one of these source: results",
    ),
    "E-RESULTS-RULESET": (
        "找不到要读取结果的方案 {file}（查找了 {looked}）：ruleset 写相对本方案所在目录的文件或文件夹",
        "the ruleset {file} whose results are read was not found (looked at {looked}): write ruleset "
        "as a file or folder relative to this ruleset's folder",
    ),
    "E-RESULTS-NOT-SIGNED": (
        "结果库 {url} 中没有方案 {id}（{file}）含周期 {period} 的已确认运行：请先计算并记入结果库、"
        "再确认（kaohe store signoff），或改用 from: evaluate 现场计算",
        "the results store {url} has no signed-off run of {id} ({file}) holding period "
        "{period}: evaluate it into the store and sign it off (kaohe store signoff), or use "
        "from: evaluate to compute it now",
    ),
    "E-RESULTS-PERIOD": (
        "方案 {file} 没有周期 {period}：它的周期为 {available}",
        "the ruleset {file} has no period {period}; its periods are {available}",
    ),
    "E-RESULTS-KEY": (
        "对象表中没有 key 所指的列 “{key}”：key 写本方案对象表中写着对方对象编号的列（如 unit），默认 id",
        "the subjects table has no column '{key}' named by key: key names the column of this ruleset's "
        "subjects holding the other ruleset's subject id (e.g. unit), default id",
    ),
    "E-RESULTS-FIELDS": (
        "fields 要写本方案字段名 → 对方结果（{taken} 之一），如 fields: {{unit_total: total}}；不能用的：{fields}",
        "fields maps this ruleset's field names to the other's results (one of {taken}), e.g. "
        "fields: {{unit_total: total}}; not usable: {fields}",
    ),
    "W-RESULTS-UNMATCHED": (
        "{count} 个对象的 {key} 在 {file} 的结果中找不到（{subjects}）：这些对象读到的结果为空",
        "{count} subject(s) have a {key} not found among the results of {file} ({subjects}): their "
        "result fields are blank",
    ),
    "E-STORE-SUBJECT-UNKNOWN": (
        "结果库 {url} 中没有对象 {subject} 的结果：请检查编号（kaohe store show RUN 列出一次运行的对象）",
        "the results store {url} holds no results of subject {subject}: check the id (kaohe store show "
        "RUN summarises a run)",
    ),
    # --- sign-off and verification (kaohe store signoff / verify) ---
    "E-STORE-SIGNED": (
        "运行 {run} 已于 {at} 由 {by} 确认（摘要 {digest}），确认后的运行不能再次确认，也不会被改动："
        "如需更正，请用更正后的数据重新计算并记入结果库（成为新的运行），或按复核程序办理",
        "run {run} was already signed off by {by} at {at} (digest {digest}); a signed-off run is "
        "frozen and cannot be signed off again: to correct it, evaluate the corrected data into the "
        "store (a new run) or follow the appeal (复核) procedure",
    ),
    "E-STORE-VERIFY-DIGEST": (
        "运行 {run}（第 {seq} 次确认）的内容与确认时的摘要不符：确认后库中的记录被改动过"
        "（确认时 {stored}，按现在的内容算得 {found}）。以下各条指出改动之处；请以签字的纸质记录为准核对，"
        "并从数据库日志或备份查明改动的人和时间",
        "run {run} (sign-off {seq}) no longer matches the digest it was signed off with: its records "
        "were changed in the database after sign-off (signed {stored}, now {found}). The messages "
        "below point at the changes; check them against the signed paper record and find who changed "
        "them and when from the database logs or backups",
    ),
    "E-STORE-VERIFY-LINK": (
        "运行 {run}（第 {seq} 次确认）记下的上一摘要 {found} 与它前一次确认（运行 {previous}）的摘要 {expected} 不符："
        "链条在此断开，之前已确认的记录被改动、删除或整体重写过。请用备份或签字纸质记录上的摘要核对",
        "run {run} (sign-off {seq}) records the previous digest {found}, but the sign-off before it "
        "(run {previous}) has {expected}: the chain is broken here, so earlier signed-off records were "
        "changed, deleted or rewritten. Check against a backup or the digest on the signed paper record",
    ),
    "E-STORE-VERIFY-GAP": (
        "确认序号缺少第 {missing} 次（第 {before} 次之后是第 {after} 次）：一次已确认的运行从结果库中被删除了，"
        "请从备份中恢复它",
        "sign-off {missing} is missing (sign-off {before} is followed by {after}): a signed-off run was "
        "deleted from the store; restore it from a backup",
    ),
    "E-STORE-VERIFY-STATUS": (
        "运行 {run} 的确认栏目不完整（状态 {status}，确认序号 {seq}，摘要 {digest}）：这些栏目只由 "
        "kaohe store signoff 一次写全，说明被手工改动过",
        "run {run} has incomplete sign-off columns (status {status}, sign-off {seq}, digest {digest}): "
        "kaohe store signoff writes them all at once, so they were changed by hand",
    ),
    "E-STORE-VERIFY-ROW": (
        "运行 {run}，对象 {subject}，周期 {period}：{column}在结果行中是 {row}，在结果文档中是 {document}。"
        "两者之一被手工改过；以签字的纸质记录为准判断哪个是原值",
        "run {run}, subject {subject}, period {period}: {column} {row} in the row, {document} in the "
        "document. One of them was changed by hand; the signed paper record shows which is the original",
    ),
    "E-STORE-VERIFY-ROW-MISSING": (
        "运行 {run}：结果文档中有对象 {subject} 周期 {period}，结果表中却没有这一行：它被删除了",
        "run {run}: the document has subject {subject} period {period}, but the results table has no "
        "row for it: the row was deleted",
    ),
    "E-STORE-VERIFY-ROW-EXTRA": (
        "运行 {run}：结果表中有对象 {subject} 周期 {period} 的一行，结果文档中却没有：这一行是后来加进去的",
        "run {run}: the results table has a row for subject {subject} period {period} that the document "
        "does not have: the row was added afterwards",
    ),
    "E-STORE-VERIFY-WARNING": (
        "运行 {run} 的第 {seq} 条提醒（{warning}）与结果文档中的不符：提醒记录被手工改动、增加或删除过",
        "run {run}, warning {seq} ({warning}) does not match the document's: the warning records were "
        "changed, added or deleted by hand",
    ),
    "E-STORE-VERIFY-META": (
        "运行 {run}：{column}在运行记录中是 {row}，在结果文档中是 {document}：运行记录被手工改动过",
        "run {run}: {column} {row} in the runs record, {document} in the document: the runs record "
        "was changed by hand",
    ),
    "E-STORE-VERIFY-DOCUMENT": (
        "运行 {run} 保存的结果文档与记录的结果摘要不符（记录 {recorded}，现在 {found}）：文档原文被改动过。"
        "请以 kaohe evaluate 当时输出的文件或签字的纸质记录为准",
        "run {run}: the stored results document no longer matches its recorded results digest "
        "(recorded {recorded}, now {found}): the document text was changed. Rely on the file kaohe "
        "evaluate wrote at the time or on the signed paper record",
    ),
    "E-STORE-VERIFY-DOCUMENT-MISSING": (
        "运行 {run} 的结果文档被删除了：请从备份恢复",
        "run {run}: its results document was deleted; restore it from a backup",
    ),
    "E-STORE-VERIFY-FILE": (
        "运行 {run} 读过的文件 {path} 已经变了（当时 sha256 {recorded}，现在 {found}），无法按原样重算："
        "请取回当时的版本（git 历史或归档）放回原处，再用 kaohe store verify --recompute 核对",
        "run {run} read {path}, which has changed since (sha256 {recorded} then, {found} now), so the "
        "run cannot be recomputed as it was: put that version back (from git history or the archive) "
        "and run kaohe store verify --recompute again",
    ),
    "E-STORE-VERIFY-FILE-MISSING": (
        "运行 {run} 读过的文件 {path} 在项目 {root} 中找不到，无法重算：请在项目根目录运行（或用 --root 指明），"
        "或从归档中取回该文件",
        "run {run} read {path}, which is not in the project {root}, so it cannot be recomputed: run from "
        "the project root (or name it with --root) or restore the file from the archive",
    ),
    "E-STORE-VERIFY-RECOMPUTE": (
        "按记录的方案和数据重新计算运行 {run}，得到的结果文档与库中保存的不同（第 {line} 行起）{detail}："
        "库中的结果不是这些文件算出来的，请核查",
        "recomputing run {run} from its recorded ruleset and data gives a different results document "
        "(from line {line}){detail}: the stored results are not what these files give; investigate",
    ),
    "E-STORE-VERIFY-RECOMPUTED-ROW": (
        "重新计算运行 {run}：对象 {subject}，周期 {period} 的{column}现在算得 {now}，库中保存的是 {stored}",
        "recomputing run {run}: subject {subject}, period {period}: {column} {now} now, {stored} stored",
    ),
    "E-STORE-VERIFY-RERUN-FAILED": (
        "无法重新计算运行 {run}：{problem}",
        "run {run} could not be recomputed: {problem}",
    ),
    "W-STORE-VERIFY-ENGINE": (
        "运行 {run} 当时用 kaohe {recorded} 计算，现在是 kaohe {now}：重算结果若不同，可能来自引擎的变化，不一定是数据被改",
        "run {run} was computed by kaohe {recorded}, this is kaohe {now}: a different recomputed result "
        "may come from the engine's changes rather than from edited data",
    ),
    "W-STORE-VERIFY-LAYOUT": (
        "运行 {run}：重新计算得到的结果文档与库中保存的排版不同（保存时的 JSON 格式与现在不同），"
        "但内容完全相同：结果一致，不是改动",
        "run {run}: the recomputed results document is laid out differently from the stored text (the "
        "JSON layout has changed since it was recorded) but holds exactly the same data: the results agree, "
        "nothing was changed",
    ),
    "W-STORE-VERIFY-UNSIGNED": (
        "运行 {run} 尚未确认：只核对了结果行与结果文档是否一致，没有摘要能证明它未被改动；确认用 kaohe store signoff {run}",
        "run {run} is not signed off: its rows were only checked against its document, and no digest "
        "proves it unchanged; sign it off with kaohe store signoff {run}",
    ),
    # --- appeals (kaohe appeal / kaohe store appeal) ---
    "E-STORE-APPEAL-UNSIGNED": (
        "运行 {run} 尚未确认（状态 {status}）：复核针对的是已确认的结果。请先确认（kaohe store signoff {run}），"
        "或在确认前用更正后的数据重新计算并记入结果库",
        "run {run} is not signed off (status {status}): an appeal contests a signed-off result. Sign it off "
        "first (kaohe store signoff {run}), or before sign-off simply evaluate the corrected data into the store",
    ),
    "E-STORE-APPEAL-CHANGED": (
        "运行 {run} 的记录与确认时的摘要不符（确认后被改动过），不能据此复核：请先用 kaohe store verify {run} 查明改动",
        "run {run} no longer matches its sign-off digest (its records were changed after sign-off), so it "
        "cannot be appealed against: find the change first with kaohe store verify {run}",
    ),
    "E-STORE-APPEAL-DATA": (
        "更正数据文件夹 {path} 不存在或不是文件夹：--data 写一个文件夹，里面放与原运行相同的数据表"
        "（通常是原数据的副本，只改了要更正的值）",
        "the corrected data folder {path} does not exist or is not a folder: --data names a folder holding "
        "the same tables as the run read (usually a copy of its data with the corrected values)",
    ),
    "E-STORE-APPEAL-SAME": (
        "{path} 中的数据与运行 {run} 记录的数据完全相同，复核不会改变任何结果，未作记录：请检查是否指错了文件夹",
        "the data in {path} is the same as the data run {run} recorded, so an appeal would change nothing and "
        "none was recorded: check that --data names the corrected folder",
    ),
    "E-STORE-APPEAL-FILE": (
        "运行 {run} 读过的文件 {path} 已经变了（当时 sha256 {recorded}，现在 {found}）：复核要用确认时的方案，"
        "并与确认时的数据比较。请取回当时的版本（git 历史或归档）放回原处；更正的数据放在另一个文件夹，用 --data 指明",
        "run {run} read {path}, which has changed since (sha256 {recorded} then, {found} now): an appeal "
        "applies the method that was signed off and compares with the data that was. Put that version back "
        "(from git history or the archive) and put the corrections in another folder named by --data",
    ),
    "E-STORE-APPEAL-FILE-MISSING": (
        "运行 {run} 读过的文件 {path} 在项目 {root} 中找不到，无法复核：请在项目根目录运行（或用 --root 指明），"
        "或从归档中取回该文件",
        "run {run} read {path}, which is not in the project {root}, so it cannot be appealed: run from the "
        "project root (or name it with --root) or restore the file from the archive",
    ),
}
