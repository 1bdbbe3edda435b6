TITLE = "本机暂停服务"
MESSAGE = "设备正在维护，暂时无法查询。给您带来不便，敬请谅解。"
GO_TO_WINDOW = "请到{window}办理"
SERVICE_WINDOW = "服务窗口"
