//! A VIP's record is protected: an access to it counts against its review case unless
//! care naming that person explains it. Cases keep how many of their accesses a
//! department's care alone explained on such a record, so that the count survives the
//! batch that filed them (existing cases start at 0: their accesses were ranked before).

use sea_orm_migration::prelude::*;

use crate::columns::big_int;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut column = big_int("vip_by_department");
        column.default(0);
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("access_case"))
                    .add_column(column)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("access_case"))
                    .drop_column(Alias::new("vip_by_department"))
                    .to_owned(),
            )
            .await
    }
}
