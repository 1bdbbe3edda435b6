"""The face check (人证核验): its own consent, the live guidance, and where to go instead."""

from devices.camera.guidance import Hint

CONSENT_TITLE = "刷脸核验本人身份"
CONSENT_WHY = "为防止他人冒用身份证查询您的信用信息，本机需要将您的人脸与身份证登记照片进行比对。"
CONSENT_WHAT = (
    "摄像头只拍摄您的面部，照片仅用于本次比对，发送至信用平台后即删除，本机不保存、不记录。"
)
CONSENT_ALTERNATIVE = "如不愿刷脸，可以到{window}由工作人员核验身份后办理，同样可以查询。"
AGREE = "同意刷脸"
REFUSE = "不用刷脸，到窗口办理"

ATTEMPT = "第 {attempt} 次，共 {attempts} 次"
RETRY = "未能核验成功，请再试一次"
HINTS = {
    Hint.FACE_THE_CAMERA: "请正对摄像头",
    Hint.COME_CLOSER: "请靠近一点",
    Hint.UNCOVER: "请摘下帽子或口罩",
    Hint.ONE_PERSON: "请只留一人在镜头前",
    Hint.HOLD_STILL: "请保持不动",
}
BLINK = "请眨一下眼睛"
VERIFYING = "正在核验，请稍候"
PRIVACY_NOTE = "照片不会保存"
