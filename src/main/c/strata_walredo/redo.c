/*
 * redo.c: rebuilding one page from WAL with PostgreSQL's own redo routines.
 *
 * The backend is a single-user postgres on a throwaway cluster. Nothing here
 * runs the startup process; we borrow the pieces of recovery that rm_redo
 * needs and keep everything else switched off:
 *
 *  - Every block reference of a record is rewritten before redo. The target
 *    block goes to scratch relation S; every other block goes to scratch
 *    relation J, except that for a VM or FSM target the rest of the target
 *    relation goes to S as well, because heap redo clears VM bits and records
 *    free space through the relation of its heap block. Block numbers are never
 *    changed: the visibility map code derives map positions from heap block
 *    numbers. No page stores its own relfilenode, so the page cannot tell.
 *
 *  - S and J claim MaxBlockNumber blocks in smgr's size cache. While
 *    InRecovery, smgrnblocks() believes that cache, so XLogReadBufferExtended()
 *    never extends a file one block at a time, and reads past the (empty)
 *    files return zeros. A block that redo wants but we do not have therefore
 *    looks new, is logged as an "invalid page" and comes back BLK_NOTFOUND, so
 *    the redo routine skips it. Full-page images and WILL_INIT pages are zeroed
 *    in memory, never read.
 *
 *  - reachedConsistency stays false, which makes invalid-page references a note
 *    in a hash table instead of a PANIC; we forget them after every request.
 *
 *  - InRecovery is true only while a step runs, so transaction commit and
 *    abort never run "in recovery".
 *
 *  - Every request is one internal subtransaction. An ERROR anywhere rolls it
 *    back (releasing pins and locks) and becomes the request's error reply;
 *    the service keeps going. PANICs in redo routines cannot be caught: the
 *    process dies and the page server starts a new one.
 */
#include "strata_walredo.h"

#include "access/brin_xlog.h"
#include "access/rmgr.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "access/xlogreader.h"
#include "access/xlogrecord.h"
#include "access/xlogrecovery.h"
#include "access/xlogutils.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/smgr.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

/* Far above any OID the scratch cluster will hand out; no catalog entry names them. */
#define SCRATCH_S_RELNODE ((Oid) 4000000001U)
#define SCRATCH_J_RELNODE ((Oid) 4000000002U)

#define ERROR_TEXT_MAX 1024

typedef struct Request
{
	bool		open;
	bool		failed;
	bool		in_subxact;
	/* The S buffer holds a real page: a base image, or a record restored or initialised it. */
	bool		target_valid;
	RedoTarget	target;
	XLogRecPtr	current_lsn;	/* start of the record being applied, for error replies */
	XLogRecPtr	error_lsn;
	char		error[ERROR_TEXT_MAX];
	ResourceOwner owner;		/* the service's owner, restored after the subtransaction */
} Request;

typedef void (*RedoStep) (void *arg);

static bool started = false;
static MemoryContext service_cxt;
static MemoryContext request_cxt;
static XLogReaderState *reader;
static char *record_buf;
static size_t record_cap;
static DecodedXLogRecord *decoded;
static size_t decoded_cap;
static RelFileNode scratch_s;
static RelFileNode scratch_j;
static Request req;

static void
fail_request(XLogRecPtr lsn, const char *fmt,...)
pg_attribute_printf(2, 3);

static void
fail_request(XLogRecPtr lsn, const char *fmt,...)
{
	va_list		args;

	/* The first error explains the request; later ones are consequences. */
	if (req.failed)
		return;
	va_start(args, fmt);
	vsnprintf(req.error, sizeof(req.error), fmt, args);
	va_end(args);
	req.error_lsn = lsn;
	req.failed = true;
}

void
redo_fail(const char *message, XLogRecPtr lsn)
{
	/* A message that arrives outside a request still owes its G an answer. */
	if (!req.open)
	{
		memset(&req, 0, sizeof(req));
		req.open = true;
	}
	fail_request(lsn, "%s", message);
}

bool
redo_is_open(void)
{
	return req.open;
}

bool
redo_failed(void)
{
	return req.failed;
}

const char *
redo_error(XLogRecPtr *lsn)
{
	*lsn = req.error_lsn;
	return req.error;
}

void
redo_startup(void)
{
	MemoryContext caller;

	if (started)
		return;
	service_cxt = AllocSetContextCreate(TopMemoryContext, "walredo service", ALLOCSET_DEFAULT_SIZES);
	request_cxt = AllocSetContextCreate(TopMemoryContext, "walredo request", ALLOCSET_DEFAULT_SIZES);
	caller = MemoryContextSwitchTo(service_cxt);

	reader = XLogReaderAllocate(wal_segment_size, NULL, XL_ROUTINE(.page_read = NULL), NULL);
	if (reader == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
						errmsg("walredo: out of memory allocating a WAL reader")));

	/*
	 * A single-user backend ran its own crash recovery at startup, which may
	 * have declared consistency. From now on an unknown block must be a note,
	 * not a PANIC, and no hot-standby conflict handling may run.
	 */
	reachedConsistency = false;
	standbyState = STANDBY_DISABLED;

	/* Btree, GIN, GiST and SP-GiST redo dereference the contexts these create. */
	for (int rmid = 0; rmid <= RM_MAX_ID; rmid++)
	{
		if (RmgrIdExists((RmgrId) rmid) && RmgrTable[rmid].rm_startup != NULL)
			RmgrTable[rmid].rm_startup();
	}

	scratch_s.spcNode = scratch_j.spcNode = MyDatabaseTableSpace;
	scratch_s.dbNode = scratch_j.dbNode = MyDatabaseId;
	scratch_s.relNode = SCRATCH_S_RELNODE;
	scratch_j.relNode = SCRATCH_J_RELNODE;

	MemoryContextSwitchTo(caller);
	started = true;
}

void
redo_shutdown(void)
{
	if (!started)
		return;
	if (req.open)
		redo_end();
	for (int rmid = 0; rmid <= RM_MAX_ID; rmid++)
	{
		if (RmgrIdExists((RmgrId) rmid) && RmgrTable[rmid].rm_cleanup != NULL)
			RmgrTable[rmid].rm_cleanup();
	}
	started = false;
}

/*
 * Makes S and J look infinitely long and makes sure their files exist (empty),
 * so no read of ours ever fails or extends. Called before every step: an smgr
 * invalidation may have closed the relations and forgotten the sizes.
 */
static void
prepare_scratch_relation(RelFileNode rnode)
{
	SMgrRelation reln = smgropen(rnode, InvalidBackendId);

	for (int fork = 0; fork <= MAX_FORKNUM; fork++)
	{
		/* A no-op once the fork's file is open. */
		smgrcreate(reln, (ForkNumber) fork, true);
		reln->smgr_cached_nblocks[fork] = MaxBlockNumber;
	}
}

static void
prepare_scratch(void)
{
	prepare_scratch_relation(scratch_s);
	prepare_scratch_relation(scratch_j);
}

/*
 * Dirty S or J buffers are normally dropped, never written. Only an eviction
 * (a request touching more blocks than shared_buffers) or the flush that
 * restoring an INIT-fork image does can write one; empty the file again so
 * the next request cannot read a stale page from it.
 */
static void
truncate_if_written(RelFileNode rnode)
{
	SMgrRelation reln = smgropen(rnode, InvalidBackendId);
	ForkNumber	forks[MAX_FORKNUM + 1];
	BlockNumber zeros[MAX_FORKNUM + 1];
	int			n = 0;

	Assert(!InRecovery);
	for (int fork = 0; fork <= MAX_FORKNUM; fork++)
	{
		/* Outside recovery smgrnblocks() ignores the faked size and asks the file. */
		if (smgrnblocks(reln, (ForkNumber) fork) > 0)
		{
			forks[n] = (ForkNumber) fork;
			zeros[n] = 0;
			n++;
		}
	}
	if (n > 0)
	{
		ereport(LOG, (errmsg("walredo: a scratch page was written to relation %u; truncating it",
							 rnode.relNode)));
		smgrtruncate(reln, forks, n, zeros);
	}
}

/* Forgets everything a request left behind. Errors here are bugs: they end the service. */
static void
reset_scratch(void)
{
	SMgrRelation rels[2];

	prepare_scratch();
	/*
	 * With every fork's size cached (our fake), the drop scans shared buffers
	 * without calling smgrexists(), which outside recovery would close and
	 * reopen the files each time.
	 */
	InRecovery = true;
	PG_TRY();
	{
		rels[0] = smgropen(scratch_s, InvalidBackendId);
		rels[1] = smgropen(scratch_j, InvalidBackendId);
		DropRelFileNodesAllBuffers(rels, 2);
	}
	PG_FINALLY();
	{
		InRecovery = false;
	}
	PG_END_TRY();

	for (int fork = 0; fork <= MAX_FORKNUM; fork++)
	{
		XLogDropRelation(scratch_s, (ForkNumber) fork);
		XLogDropRelation(scratch_j, (ForkNumber) fork);
	}
	truncate_if_written(scratch_s);
	truncate_if_written(scratch_j);
}

static void
abort_subxact(void)
{
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(request_cxt);
	CurrentResourceOwner = req.owner;
	req.in_subxact = false;
}

/* Runs one step of the open request; an ERROR fails the request instead of the service. */
static void
run_step(RedoStep step, void *arg)
{
	MemoryContext caller = CurrentMemoryContext;

	if (req.failed)
		return;
	MemoryContextSwitchTo(request_cxt);
	PG_TRY();
	{
		InRecovery = true;
		step(arg);
		InRecovery = false;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		InRecovery = false;
		MemoryContextSwitchTo(request_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		if (edata->detail != NULL)
			fail_request(req.current_lsn, "%s (%s)", edata->message, edata->detail);
		else
			fail_request(req.current_lsn, "%s", edata->message);
		FreeErrorData(edata);
		if (req.in_subxact)
			abort_subxact();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(caller);
}

void
redo_begin(const RedoTarget *target)
{
	MemoryContext caller = CurrentMemoryContext;

	/* A B inside an open request abandons it: no G was sent, so no reply is owed. */
	if (req.open)
		redo_end();
	memset(&req, 0, sizeof(req));
	req.open = true;
	req.target = *target;

	if (target->fork < 0 || target->fork > MAX_FORKNUM)
	{
		fail_request(InvalidXLogRecPtr, "target fork %d is not a fork number (0..%d)",
					 (int) target->fork, MAX_FORKNUM);
		return;
	}
	if (target->blkno == InvalidBlockNumber)
	{
		fail_request(InvalidXLogRecPtr, "target block %u is not a block number", target->blkno);
		return;
	}
	if (target->rnode.relNode == InvalidOid)
	{
		fail_request(InvalidXLogRecPtr, "target relation has relfilenode 0");
		return;
	}

	req.owner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	req.in_subxact = true;
	MemoryContextSwitchTo(caller);
}

static void
push_page_step(void *arg)
{
	const char *page = arg;
	Buffer		buf;

	prepare_scratch();
	buf = ReadBufferWithoutRelcache(scratch_s, req.target.fork, req.target.blkno,
									RBM_ZERO_AND_LOCK, NULL, true);
	memcpy(BufferGetPage(buf), page, BLCKSZ);
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
}

void
redo_push_page(const char *page)
{
	if (req.failed)
		return;
	if (req.target_valid)
	{
		fail_request(InvalidXLogRecPtr, "a base image must come before every record and only once");
		return;
	}
	/* A garbage header would only reach redo to PANIC there; refuse it here. All-zero pages pass. */
	if (!PageIsVerifiedExtended((Page) page, req.target.blkno, 0))
	{
		fail_request(InvalidXLogRecPtr, "base image for block %u has an invalid page header",
					 req.target.blkno);
		return;
	}
	run_step(push_page_step, (void *) page);
	if (!req.failed)
		req.target_valid = true;
}

/* Drops the pages a record put into J (and S's other blocks for a VM/FSM target). */
static void
forget_other_blocks(void)
{
	SMgrRelation j = smgropen(scratch_j, InvalidBackendId);

	DropRelFileNodesAllBuffers(&j, 1);
	if (req.target.fork != MAIN_FORKNUM)
	{
		SMgrRelation s = smgropen(scratch_s, InvalidBackendId);
		ForkNumber	main_fork = MAIN_FORKNUM;
		BlockNumber from = 0;

		DropRelFileNodeBuffers(s, &main_fork, 1, &from);
	}
}

/*
 * BRIN insert and update redo reads block 0's number from its buffer to store it in the revmap
 * (block 1), even when block 0 needs no redo. With the revmap page as the target, block 0 must
 * come back as a valid buffer: a page whose LSN is past the record makes it BLK_DONE.
 */
static bool
needs_done_buffer(int block_id)
{
	uint8		op;

	if (block_id != 0 || XLogRecGetRmid(reader) != RM_BRIN_ID)
		return false;
	op = XLogRecGetInfo(reader) & XLOG_BRIN_OPMASK;
	return op == XLOG_BRIN_INSERT || op == XLOG_BRIN_UPDATE;
}

static void
apply_step(void *arg)
{
	RecordPlan *plan = arg;

	prepare_scratch();

	/*
	 * A block without an image that is not in shared buffers would be read
	 * from J's file. Reads past its end return zeros, but md.c creates (sparse)
	 * segment files on the way to a block beyond 1 GB. A zeroed, clean buffer
	 * gives redo the same "new page" without touching the file.
	 */
	reader->record = decoded;
	for (int i = 0; i <= decoded->max_block_id; i++)
	{
		DecodedBkpBlock *blk = &decoded->blocks[i];
		Buffer		buf;

		if (!blk->in_use || blk->apply_image ||
			(RelFileNodeEquals(blk->rnode, scratch_s) &&
			 blk->forknum == req.target.fork && blk->blkno == req.target.blkno))
			continue;
		buf = ReadBufferWithoutRelcache(blk->rnode, blk->forknum, blk->blkno,
										RBM_ZERO_AND_LOCK, NULL, true);
		if (needs_done_buffer(i))
		{
			Page		page = BufferGetPage(buf);

			PageInit(page, BLCKSZ, 0);
			PageSetLSN(page, reader->EndRecPtr);
		}
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
		ReleaseBuffer(buf);
	}

	RmgrTable[plan->rmid].rm_redo(reader);
	reader->record = NULL;

	/*
	 * A page restored or initialised in J would otherwise stay in shared
	 * buffers, and a later record of this request would be replayed onto it.
	 */
	if (plan->others > 0)
		forget_other_blocks();
}

static char *
ensure_space(char *buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return buf;
	if (buf != NULL)
		pfree(buf);
	/* MAXALIGNed, as DecodeXLogRecord() and the record header casts need. */
	buf = MemoryContextAllocHuge(service_cxt, need);
	*cap = need;
	return buf;
}

void
redo_apply(XLogRecPtr start_lsn, XLogRecPtr end_lsn, const char *raw, uint32 len)
{
	XLogRecord *rec;
	pg_crc32c	crc;
	char	   *errormsg = NULL;
	const char *why;
	RecordPlan	plan;

	if (req.failed)
		return;
	req.current_lsn = start_lsn;

	if (len < SizeOfXLogRecord)
	{
		fail_request(start_lsn, "record at %X/%X has %u bytes, fewer than a record header",
					 LSN_FORMAT_ARGS(start_lsn), len);
		return;
	}
	if (start_lsn == InvalidXLogRecPtr || end_lsn < start_lsn + len)
	{
		fail_request(start_lsn, "record of %u bytes cannot start at %X/%X and end at %X/%X",
					 len, LSN_FORMAT_ARGS(start_lsn), LSN_FORMAT_ARGS(end_lsn));
		return;
	}

	record_buf = ensure_space(record_buf, &record_cap, len);
	memcpy(record_buf, raw, len);
	rec = (XLogRecord *) record_buf;
	if (rec->xl_tot_len != len)
	{
		fail_request(start_lsn, "record at %X/%X has xl_tot_len %u, but %u bytes were sent",
					 LSN_FORMAT_ARGS(start_lsn), rec->xl_tot_len, len);
		return;
	}
	if (!RmgrIdIsValid(rec->xl_rmid) || !RmgrIdExists(rec->xl_rmid))
	{
		fail_request(start_lsn, "record at %X/%X has unknown resource manager %u",
					 LSN_FORMAT_ARGS(start_lsn), rec->xl_rmid);
		return;
	}

	/* The same CRC PostgreSQL checks when reading WAL: body first, then the header up to xl_crc. */
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, record_buf + SizeOfXLogRecord, len - SizeOfXLogRecord);
	COMP_CRC32C(crc, record_buf, offsetof(XLogRecord, xl_crc));
	FIN_CRC32C(crc);
	if (!EQ_CRC32C(rec->xl_crc, crc))
	{
		fail_request(start_lsn, "record at %X/%X has a bad CRC (stored %08X, computed %08X)",
					 LSN_FORMAT_ARGS(start_lsn), rec->xl_crc, crc);
		return;
	}

	decoded = (DecodedXLogRecord *)
		ensure_space((char *) decoded, &decoded_cap, DecodeXLogRecordRequiredSpace(len));
	reader->ReadRecPtr = start_lsn;
	reader->EndRecPtr = end_lsn;
	reader->NextRecPtr = end_lsn;
	reader->record = NULL;
	if (!DecodeXLogRecord(reader, decoded, rec, start_lsn, &errormsg))
	{
		reader->errormsg_deferred = false;
		fail_request(start_lsn, "cannot decode record: %s", errormsg ? errormsg : "unknown error");
		return;
	}
	decoded->next_lsn = end_lsn;
	decoded->oversized = false;

	why = record_check(decoded);
	if (why == NULL)
		why = record_remap(decoded, &req.target, req.target_valid, scratch_s, scratch_j, &plan);
	if (why != NULL)
	{
		fail_request(start_lsn, "%s", why);
		return;
	}

	run_step(apply_step, &plan);
	if (!req.failed && plan.initialises_target)
		req.target_valid = true;
}

static void
get_page_step(void *arg)
{
	char	   *page_out = arg;
	Buffer		buf;

	prepare_scratch();
	buf = ReadBufferWithoutRelcache(scratch_s, req.target.fork, req.target.blkno,
									RBM_NORMAL, NULL, true);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	memcpy(page_out, BufferGetPage(buf), BLCKSZ);
	UnlockReleaseBuffer(buf);
}

void
redo_get_page(char *page_out)
{
	if (req.failed)
		return;
	if (!req.target_valid)
	{
		fail_request(InvalidXLogRecPtr, "no page to return: no base image and no record that restores or initialises block %u",
					 req.target.blkno);
		return;
	}
	req.current_lsn = InvalidXLogRecPtr;
	run_step(get_page_step, page_out);
}

void
redo_end(void)
{
	MemoryContext caller = CurrentMemoryContext;

	if (!req.open)
		return;
	MemoryContextSwitchTo(request_cxt);
	if (req.in_subxact)
	{
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(request_cxt);
		CurrentResourceOwner = req.owner;
		req.in_subxact = false;
	}
	reset_scratch();
	req.open = false;
	MemoryContextSwitchTo(caller);
	MemoryContextReset(request_cxt);
}
