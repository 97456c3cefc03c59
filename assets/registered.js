// Tells the platform that registration finished, so Moodle closes the frame or window it
// opened for it (LTI Dynamic Registration, "org.imsglobal.lti.close").
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
