/*
 * records.c: what a decoded record may do here, and where its blocks go.
 *
 * record_check() is the allow-list and the sanity checks DecodeXLogRecord()
 * leaves to its caller; record_remap() rewrites the block references to the
 * scratch relations (see redo.c for why). Both return NULL when all is well,
 * or a message that is valid until the next call.
 */
#include "strata_walredo.h"

#include "access/heapam_xlog.h"
#include "access/rmgr.h"
#include "access/xlog_internal.h"
#include "access/xlogrecord.h"
#include "catalog/pg_control.h"

static char message[512];

const char *
record_name(const DecodedXLogRecord *rec)
{
	static char name[96];
	const RmgrData *rm = &RmgrTable[rec->header.xl_rmid];
	const char *id = rm->rm_identify ? rm->rm_identify(rec->header.xl_info) : NULL;

	snprintf(name, sizeof(name), "%s/%s", rm->rm_name, id ? id : "UNKNOWN");
	return name;
}

/* NULL when the record belongs here; otherwise why the page server must handle it itself. */
static const char *
refusal(const DecodedXLogRecord *rec)
{
	RmgrId		rmid = rec->header.xl_rmid;
	uint8		info = rec->header.xl_info & ~XLR_INFO_MASK;

	if (rec->max_block_id < 0)
		return "it references no block";
	switch (rmid)
	{
		case RM_XLOG_ID:
			if (info == XLOG_FPI || info == XLOG_FPI_FOR_HINT)
				return NULL;
			return "XLOG records other than page images change cluster state";
		case RM_HEAP2_ID:
			if ((info & XLOG_HEAP_OPMASK) == XLOG_HEAP2_REWRITE)
				return "Heap2 REWRITE writes logical-decoding files";
			return NULL;
		case RM_HEAP_ID:
		case RM_BTREE_ID:
		case RM_HASH_ID:
		case RM_GIN_ID:
		case RM_GIST_ID:
		case RM_SEQ_ID:
		case RM_SPGIST_ID:
		case RM_BRIN_ID:
		case RM_GENERIC_ID:
			return NULL;
		default:
			if (RmgrIdIsCustom(rmid))
				return NULL;
			return "its resource manager changes cluster state (xact, CLOG, relmap, files), not pages";
	}
}

/*
 * Refuses what redo must not see, and what DecodeXLogRecord() leaves to the
 * reader: fork numbers index arrays of MAX_FORKNUM + 1, P_NEW would make redo
 * extend the relation, and a hole outside the page would make
 * RestoreBlockImage() copy out of bounds.
 */
const char *
record_check(const DecodedXLogRecord *rec)
{
	const char *why = refusal(rec);

	if (why != NULL)
	{
		snprintf(message, sizeof(message), "%s at %X/%X is not a page record: %s",
				 record_name(rec), LSN_FORMAT_ARGS(rec->lsn), why);
		return message;
	}
	for (int i = 0; i <= rec->max_block_id; i++)
	{
		const DecodedBkpBlock *blk = &rec->blocks[i];

		if (!blk->in_use)
			continue;
		if (blk->forknum > MAX_FORKNUM)
			snprintf(message, sizeof(message), "block reference %d has fork %d", i, (int) blk->forknum);
		else if (blk->blkno == InvalidBlockNumber)
			snprintf(message, sizeof(message), "block reference %d has block number %u", i, blk->blkno);
		else if (blk->has_image &&
				 (blk->bimg_len > BLCKSZ || (uint32) blk->hole_offset + blk->hole_length > BLCKSZ))
			snprintf(message, sizeof(message), "block reference %d has an image of %u bytes with a hole at %u+%u",
					 i, blk->bimg_len, blk->hole_offset, blk->hole_length);
		else
			continue;
		return message;
	}
	return NULL;
}

/*
 * Rewrites the block references: the target to S; for a VM or FSM target the
 * rest of the target relation to S too; everything else to J. Block numbers
 * stay. Refuses a record whose blocks of two relations would share one J
 * block, one that has nothing to do with the target, and one that needs the
 * target page before anything has provided it.
 */
const char *
record_remap(DecodedXLogRecord *rec, const RedoTarget *t, bool target_valid,
			 RelFileNode scratch_s, RelFileNode scratch_j, RecordPlan *plan)
{
	bool		whole_relation = t->fork != MAIN_FORKNUM;
	bool		touches_target = false;
	bool		touches_relation = false;

	for (int i = 0; i <= rec->max_block_id; i++)
	{
		DecodedBkpBlock *a = &rec->blocks[i];

		if (!a->in_use || RelFileNodeEquals(a->rnode, t->rnode))
			continue;
		for (int k = i + 1; k <= rec->max_block_id; k++)
		{
			DecodedBkpBlock *b = &rec->blocks[k];

			if (b->in_use && !RelFileNodeEquals(b->rnode, t->rnode) &&
				!RelFileNodeEquals(a->rnode, b->rnode) &&
				a->forknum == b->forknum && a->blkno == b->blkno)
			{
				snprintf(message, sizeof(message),
						 "%s references block %u of two relations; they cannot share scratch relation J",
						 record_name(rec), a->blkno);
				return message;
			}
		}
	}

	plan->rmid = rec->header.xl_rmid;
	plan->others = 0;
	plan->initialises_target = false;
	for (int i = 0; i <= rec->max_block_id; i++)
	{
		DecodedBkpBlock *blk = &rec->blocks[i];
		bool		same_relation;

		if (!blk->in_use)
			continue;
		same_relation = RelFileNodeEquals(blk->rnode, t->rnode);
		touches_relation |= same_relation;
		if (same_relation && blk->forknum == t->fork && blk->blkno == t->blkno)
		{
			touches_target = true;
			if (blk->apply_image || (blk->flags & BKPBLOCK_WILL_INIT) != 0)
				plan->initialises_target = true;
			blk->rnode = scratch_s;
		}
		else
		{
			plan->others++;
			blk->rnode = (same_relation && whole_relation) ? scratch_s : scratch_j;
		}
	}

	/* A VM or FSM page also changes through heap records of the blocks it covers. */
	if (!(touches_target || (whole_relation && touches_relation)))
	{
		snprintf(message, sizeof(message), "%s does not reference the target block %u/%u/%u fork %d blk %u",
				 record_name(rec), t->rnode.spcNode, t->rnode.dbNode, t->rnode.relNode,
				 (int) t->fork, t->blkno);
		return message;
	}
	if (!target_valid && !plan->initialises_target)
	{
		snprintf(message, sizeof(message),
				 "%s needs the target page, but no base image was sent and no earlier record restored or initialised it",
				 record_name(rec));
		return message;
	}
	return NULL;
}
