TITLE = "打印完成"
TAKE_ITEMS = "请取走身份证和打印件"
THANKS = "感谢使用。您的个人信息已从本机清除。"
