/* A stand-in for the vendor's sdtapi library: the same ABI, with scripted cards and failures.
 *
 * Built by the test suite with gcc at test time. The test loads it with ctypes (the same
 * shared object the driver loads, so they share this state) and drives it through the
 * fake_* functions. Like a real reader, the chip halts after a successful read: the find
 * call then answers "no card" until the card is taken off and laid again.
 */
#include <pthread.h>
#include <string.h>

#define FOUND 0x9F
#define NOT_FOUND 0x80
#define SUCCESS 0x90
#define SELECT_FAILED 0x81
#define READ_FAILED 0x41

enum { FIND, SELECT, READ, OPS };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char text[256], photo[1024];
static unsigned int text_len, photo_len;
static int present, halted;
static int script_code[OPS], script_times[OPS], calls[OPS];

void fake_reset(void) {
    pthread_mutex_lock(&lock);
    present = halted = 0;
    memset(script_code, 0, sizeof script_code);
    memset(script_times, 0, sizeof script_times);
    memset(calls, 0, sizeof calls);
    pthread_mutex_unlock(&lock);
}

void fake_lay_card(const unsigned char *t, unsigned int tl, const unsigned char *p,
                   unsigned int pl) {
    pthread_mutex_lock(&lock);
    text_len = tl > sizeof text ? sizeof text : tl;
    photo_len = pl > sizeof photo ? sizeof photo : pl;
    memcpy(text, t, text_len);
    memcpy(photo, p, photo_len);
    present = 1;
    halted = 0;
    pthread_mutex_unlock(&lock);
}

void fake_take_card(void) {
    pthread_mutex_lock(&lock);
    present = halted = 0;
    pthread_mutex_unlock(&lock);
}

/* The next `times` calls of `op` return `code` instead of doing their work. */
void fake_script(int op, int code, int times) {
    pthread_mutex_lock(&lock);
    script_code[op] = code;
    script_times[op] = times;
    pthread_mutex_unlock(&lock);
}

int fake_calls(int op) {
    pthread_mutex_lock(&lock);
    int n = calls[op];
    pthread_mutex_unlock(&lock);
    return n;
}

static int scripted(int op) {
    calls[op]++;
    if (script_times[op] > 0) {
        script_times[op]--;
        return script_code[op];
    }
    return 0;
}

int SDT_StartFindIDCard(int port, unsigned char *mana, int open) {
    (void)port;
    (void)open;
    pthread_mutex_lock(&lock);
    int code = scripted(FIND);
    if (!code) code = present && !halted ? FOUND : NOT_FOUND;
    if (mana) memset(mana, 0, 8);
    pthread_mutex_unlock(&lock);
    return code;
}

int SDT_SelectIDCard(int port, unsigned char *mana, int open) {
    (void)port;
    (void)open;
    pthread_mutex_lock(&lock);
    int code = scripted(SELECT);
    if (!code) code = present && !halted ? SUCCESS : SELECT_FAILED;
    if (mana) memset(mana, 0, 8);
    pthread_mutex_unlock(&lock);
    return code;
}

int SDT_ReadBaseMsg(int port, unsigned char *t, unsigned int *tl, unsigned char *p,
                    unsigned int *pl, int open) {
    (void)port;
    (void)open;
    pthread_mutex_lock(&lock);
    int code = scripted(READ);
    if (!code) {
        if (!present || halted) {
            code = READ_FAILED;
        } else {
            memcpy(t, text, text_len);
            memcpy(p, photo, photo_len);
            *tl = text_len;
            *pl = photo_len;
            halted = 1;
            code = SUCCESS;
        }
    }
    pthread_mutex_unlock(&lock);
    return code;
}
