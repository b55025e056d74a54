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
}
