"""The resident's way through: consent, card handling, time, help."""

CONSENT_TITLE = "查询授权"
CONSENT_INTRO = "查询前，请阅读以下内容："
CONSENT_AGREE = "同意"
CONSENT_REFUSE = "不同意"
IDENTITY_BY_CARD = "身份核验：本机仅通过身份证核验您的身份，不采集人脸。"
IDENTITY_BY_FACE = "身份核验：同意后还将单独征求您的同意，刷脸核验本人身份（照片不保存）。"

STILL_THERE_TITLE = "还需要更多时间吗？"
STILL_THERE_COUNTDOWN = "{seconds} 秒后将清除本次查询并返回首页"
STILL_THERE_NEED = "需要"

CARD_AWAY_TITLE = "身份证已拿开"
CARD_AWAY_COUNTDOWN = "请在 {seconds} 秒内放回身份证"
CARD_AWAY_NOTE = "放回同一张身份证即可继续查看；超时将清除本次查询"

EXIT_TITLE = "确定退出吗？报告将被清除"
EXIT_CONFIRM = "确定退出"
EXIT_CANCEL = "继续查看"

CALL_STAFF = "呼叫工作人员"
STAFF_CALLED = "已通知工作人员，请稍候（{window}）"
SERVICE_WINDOW = "服务窗口"

TAKE_CARD = "请取走身份证"
OUTAGE = "信用报告暂时无法查询，请稍后再试或到{window}"
OUTAGE_NOTE = "信用公示仍可查看"
