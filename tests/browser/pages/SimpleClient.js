// Copied from the vendor documentation ("Sample Face Capture" → SimpleClient.js), unchanged except
// for the two placeholders: $URL-WBS → the emulator, $URL-INTEGRATOR-BACK-END → this page's server.
let client, videoStream;
async function init() {
 // get liveness session id from backend
 const sessionId = await initLivenessSession();
 // initialize the face capture client with callbacks
 const faceCaptureOptions = {
 wspath: 'video-server/engine.io',
 bioserverVideoUrl: '{{EMULATOR}}',
 bioSessionId: sessionId,
 onClientInitEnd: () => { console.log("Init ended. Remove loading for video") },
 trackingFn: (trackingInfo) => { console.log("tracking", trackingInfo) },
 errorFn: (error) => { console.log("got error", face) },
 showChallengeInstruction: (challengeInstruction) => { console.log("got challenge instruction", challengeInstruction) },
 showChallengeResult: () => { console.log("got challenge result -> callBackend to fetch result") }
 };
 client = await BioserverVideo.initFaceCaptureClient(faceCaptureOptions);
 // get user camera video
 // HTML Code: <video id="user-video" autoplay playsinline></video>
 videoStream = await BioserverVideo.getMediaStream({videoId: 'user-video'});
 // display the video stream
 document.querySelector('#user-video').srcObject = videoStream;
}
document.querySelector('#capture').addEventListener('click', async () => {
 if (client) client.startCapture({stream: videoStream});
});
document.querySelector('#stop').addEventListener('click', async () => {
 if (client) client.cancel();
});

async function initLivenessSession () {
 console.log('init liveness session');
 return new Promise((resolve, reject) => {
 const xhttp = new window.XMLHttpRequest();
 let path = '/video-server/init-liveness-session/'; // please fill with your backend endpoint
 xhttp.open('GET', path, true);
 xhttp.responseType = 'json';
 xhttp.onload = function () {
 if (this.status >= 200 && this.status < 300) {
 resolve(xhttp.response);
 } else {
 console.error('initLivenessSession failed');
 reject();
 }
 };
 xhttp.onerror = function () {
 reject();
 };
 xhttp.send();
 });
}

init();
