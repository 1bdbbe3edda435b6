READING = "正在读取，请勿移动身份证"
AUTHENTICATING = "正在核验身份"
FETCHING = "正在查询公共信用信息报告"
PRINTING = "正在打印，请稍候"
HINT = "请稍候，通常只需几秒钟"
STEPS = ("读取证件", "核验身份", "查询报告")
