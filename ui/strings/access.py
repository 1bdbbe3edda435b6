"""长辈模式, the volume control, the print choice's guidance, the paused print, 退出 confirmed."""

ELDER = "长辈模式"
ELDER_ON = "长辈模式 · 已开启"

VOLUME = "声音：{level}"
VOLUME_LEVELS = ("静音", "小", "中", "大")

CHOOSE_TITLE = "请选择打印方式"
A4 = "A4 完整报告"
A4_FOR = "完整报告 {pages} 页，可用于办事"
A4_FOR_COUNTING = "完整报告，可用于办事（正在计算页数）"
RECEIPT = "小票 摘要"
RECEIPT_FOR = "各类记录的数量摘要，附核验二维码"
TAKES = "约 {time} · 从{exit}取出"
SECONDS = "{n} 秒"
MINUTES = "{n} 分钟"
BOTH = "两种都打印"
NOTHING_PRINTS_TITLE = "现在无法打印"
NOTHING_PRINTS = "打印机暂时无法使用，已通知工作人员。您可以返回继续查看报告，或到窗口办理。"
BACK_TO_REPORT = "返回查看报告"

PAUSED_TITLE = "打印机缺纸，已通知工作人员"
PAUSED_MESSAGE = "工作人员加纸后会自动继续打印，无需重新查询。请在此稍候。"
PAUSED_NOTE = "如果不再等待，请点“退出”，本次查询的信息将从本机清除。"

CONFIRM_EXIT_TITLE = "确定要退出吗？"
CONFIRM_EXIT_MESSAGE = "退出后，本次查询的信息将从本机清除。"
CONFIRM_EXIT_YES = "确定退出"
CONFIRM_EXIT_NO = "继续查看"
